/**
 * `npm start` builds only when the sources changed (scripts/build.cjs --if-changed): decided by content over
 * src/ (not the generated client), the Prisma schema, the tsconfigs and the lockfile, recorded in dist/ after a
 * build that succeeded. Here on a small project tree with a stand-in build, so that each decision is seen.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, reasonToBuild } from '../../scripts/build.cjs';

describe('the start script rebuilds when, and only when, the sources changed', () => {
  let root: string;
  let builds: number;
  const fakeBuild = (into: string): number => {
    builds += 1;
    mkdirSync(path.join(into, 'dist'), { recursive: true });
    writeFileSync(path.join(into, 'dist', 'main.js'), `// build ${builds}\n`);
    return 0;
  };
  const start = () => build({ root, ifChanged: true, log: () => undefined, runBuild: fakeBuild });
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'conductor-build-'));
    builds = 0;
    write('src/main.ts', 'export const a = 1;\n');
    write('src/train/calendar.ts', 'export const b = 2;\n');
    write('prisma/schema.prisma', 'model A { id Int @id }\n');
    write('tsconfig.json', '{}\n');
    write('tsconfig.build.json', '{}\n');
    write('package-lock.json', '{}\n');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('a fresh clone (no dist/) builds; the next start does not', () => {
    expect(reasonToBuild(root)).toBe('dist/main.js is missing');
    expect(start()).toEqual({ built: true, status: 0 });
    expect(reasonToBuild(root)).toBeUndefined();
    expect(start()).toEqual({ built: false, status: 0 });
    expect(builds).toBe(1);
  });

  test('touching files without changing them (a checkout, a copy) does not rebuild', () => {
    start();
    const later = new Date(Date.now() + 60_000);
    for (const file of ['src/main.ts', 'prisma/schema.prisma', 'tsconfig.json']) utimesSync(path.join(root, file), later, later);
    expect(start().built).toBe(false);
  });

  test.each([
    ['a source file edited', 'src/train/calendar.ts', 'export const b = 3;\n'],
    ['a source file added', 'src/new-feature/index.ts', 'export {};\n'],
    ['the Prisma schema', 'prisma/schema.prisma', 'model A { id Int @id\n name String }\n'],
    ['tsconfig.build.json', 'tsconfig.build.json', '{ "compilerOptions": {} }\n'],
    ['the lockfile (other library versions)', 'package-lock.json', '{ "lockfileVersion": 3 }\n'],
  ])('%s: rebuilds, once', (_what, file, text) => {
    start();
    write(file, text);
    expect(reasonToBuild(root)).toBe('the sources changed since the last build');
    expect(start().built).toBe(true);
    expect(start().built).toBe(false);
    expect(builds).toBe(2);
  });

  test('a source file removed: rebuilds from an empty dist/, so its output does not linger', () => {
    start();
    write('dist/train/calendar.js', '// output of a removed file\n');
    rmSync(path.join(root, 'src/train/calendar.ts'));
    expect(start().built).toBe(true);
    expect(() => rmSync(path.join(root, 'dist/train/calendar.js'))).toThrow(/ENOENT/);
  });

  test('the generated Prisma client (src/generated/) is output, not a source', () => {
    start();
    write('src/generated/prisma/client.ts', '// regenerated\n');
    expect(start().built).toBe(false);
  });

  test('dist/ built some other way (no fingerprint) is rebuilt once', () => {
    write('dist/main.js', '// built by hand\n');
    expect(reasonToBuild(root)).toMatch(/\.build-fingerprint is missing/);
    expect(start().built).toBe(true);
    expect(start().built).toBe(false);
  });

  test('a failed build records nothing: the next start tries again', () => {
    start();
    write('src/main.ts', 'export const a = ;\n');
    expect(build({ root, ifChanged: true, log: () => undefined, runBuild: () => 2 })).toEqual({ built: false, status: 2 });
    expect(reasonToBuild(root)).toBe('dist/main.js is missing');
    expect(start().built).toBe(true);
  });

  test('`npm run build` (no --if-changed) always builds', () => {
    start();
    expect(build({ root, log: () => undefined, runBuild: fakeBuild }).built).toBe(true);
    expect(builds).toBe(2);
  });
});
