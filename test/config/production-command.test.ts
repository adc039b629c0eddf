import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readProductionCommand, readProductionNodeOptions } from '../support/production-command';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('the bot starts the same way everywhere: npm start, npm run start:prod, the Docker image', () => {
  const nodeOptions = readProductionNodeOptions(root);
  const command = ['node', ...nodeOptions, 'dist/main.js'].join(' ');

  test('start:prod names a memory budget: a capped heap and a small young generation', () => {
    expect(nodeOptions.some((option) => /^--max-old-space-size=\d+$/.test(option))).toBe(true);
    expect(nodeOptions.some((option) => /^--max-semi-space-size=\d+$/.test(option))).toBe(true);
  });

  test('npm start builds when the sources changed (scripts/build.cjs), then runs start:prod', () => {
    expect(manifest.scripts.start).toBe('node scripts/build.cjs --if-changed && npm run start:prod');
  });

  test("start:prod's environment (one malloc arena pool for the process's threads) is the Docker image's ENV", () => {
    const { env } = readProductionCommand(root);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2' });
    const imageEnv = dockerfile
      .split('\n')
      .filter((line) => /^\s*(ENV\s+)?[A-Z][A-Z0-9_]*=\S+\s*\\?$/.test(line))
      .map((line) =>
        line
          .replace(/^\s*ENV\s+/, '')
          .replace(/\s*\\$/, '')
          .trim(),
      );
    for (const [name, value] of Object.entries(env)) expect(imageEnv).toContain(`${name}=${value}`);
  });

  test("the Docker image's CMD migrates, then runs the same command as start:prod", () => {
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
    expect(cmd).toBe(`CMD ["sh", "-c", "node dist/cli.js migrate && exec ${command}"]`);
  });
});
