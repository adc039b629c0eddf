import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { envSchema, settingsSchema } from '../../src/config';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
/** The names in the first column of the README's tables: | `NAME` | … */
const documented = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? ''));

/** Setting names, with one level of nesting spelled `parent.child`. */
function settingNames(): string[] {
  return Object.entries(settingsSchema.shape).flatMap(([name, schema]) => {
    let inner: z.ZodType = schema;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    return inner instanceof z.ZodObject ? Object.keys(inner.shape).map((child) => `${name}.${child}`) : [name];
  });
}

describe("the README's configuration reference", () => {
  test('lists every environment variable', () => {
    expect(Object.keys(envSchema.shape).filter((name) => !documented.has(name))).toEqual([]);
  });

  test('lists every setting', () => {
    expect(settingNames().filter((name) => !documented.has(name) && !documented.has(name.split('.')[0] ?? ''))).toEqual([]);
  });

  test('lists nothing that does not exist', () => {
    const known = new Set([...Object.keys(envSchema.shape), ...settingNames(), ...Object.keys(settingsSchema.shape)]);
    expect([...documented].filter((name) => !known.has(name))).toEqual([]);
  });

  test('does not announce built features as coming next', () => {
    const announced = [...readme.matchAll(/^(?:Coming next|Not in Slack yet)[^\n]*(?:\n[^\n]+)*/gm)].map((m) => m[0]).join('\n');
    // Built (src/reminders, src/metrics, the Slack planning of dot releases in src/patches).
    for (const built of [/cutoff reminders/i, /PR sweep/i, /Prometheus|metrics/i, /dot-release requests/i])
      expect(announced).not.toMatch(built);
    expect(readme).not.toMatch(/^Coming next/m);
  });
});
