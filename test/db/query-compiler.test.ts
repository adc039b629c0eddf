/**
 * The Prisma client's query compiler, read as bytes from Prisma's base64 module (src/db/database.ts) instead of
 * imported as a 2.3 MB script: the same WebAssembly, refused loudly when the file is not the shape it expects,
 * and in effect for the generated client (a Prisma upgrade that drops the internals it relies on fails here).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrismaClient, readBase64WasmModule, useLeanQueryCompilerLoader } from '../../src/db/database';
import { PrismaClient } from '../../src/generated/prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { captureLogs } from '../support/logs';

const PRISMA_MODULE = require.resolve('@prisma/client/runtime/query_compiler_small_bg.postgresql.wasm-base64.js');

describe('the query compiler read as bytes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'query-compiler-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fileWith = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test("decodes Prisma's module to the bytes its own loader decodes", () => {
    const { wasm } = require(PRISMA_MODULE) as { wasm: string };
    const expected = Buffer.from(wasm, 'base64');
    const bytes = readBase64WasmModule(PRISMA_MODULE);
    expect(bytes.length).toBe(expected.length);
    expect(bytes.equals(expected)).toBe(true);
  });

  test('decodes a literal whose length is not a multiple of the slice, padding included', () => {
    const payload = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(300_001, 7)]);
    const file = fileWith('padded.js', `const wasm = "${payload.toString('base64')}";\nmodule.exports = { wasm }\n`);
    expect(readBase64WasmModule(file).equals(payload)).toBe(true);
  });

  test('refuses a file that is not one quoted base64 literal of WebAssembly', () => {
    expect(() => readBase64WasmModule(fileWith('none.js', 'module.exports = {}\n'))).toThrow('expected one quoted base64 literal');
    expect(() => readBase64WasmModule(fileWith('two.js', 'const a = "AGFz"; const b = "bQ=="\n'))).toThrow(
      'expected one quoted base64 literal',
    );
    expect(() => readBase64WasmModule(fileWith('escaped.js', 'const wasm = "AGFz\\nbQ==";\n'))).toThrow('is not base64');
    expect(() => readBase64WasmModule(fileWith('text.js', `const wasm = "${Buffer.from('not wasm!').toString('base64')}";\n`))).toThrow(
      'is not WebAssembly',
    );
  });
});

describe('the lean loader in the generated client', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.drop());

  test('is in effect, and the client answers queries with it', async () => {
    // openDatabase applied it; applying it again finds the same internals.
    expect(useLeanQueryCompilerLoader(db.db.prisma)).toEqual({ lean: true });
    await expect(db.db.prisma.auditEvent.count()).resolves.toBe(0);
  });

  test('leaves a client without those internals alone', async () => {
    const pool = new Pool({ max: 1 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    Reflect.set(prisma, '_engineConfig', { compilerWasm: { importName: 42 } });
    expect(useLeanQueryCompilerLoader(prisma)).toMatchObject({ lean: false });
    await pool.end();
  });

  // A Prisma release that renames its runtime files, or changes the shape of its base64 module: the client is
  // still built, a warning says why, and Prisma's own loader answers the queries (nothing was replaced).
  const withChangedRuntime = async (resolve: (request: string) => string, reason: string) => {
    const logs = captureLogs();
    const pool = new Pool({ connectionString: db.url.replace(/\?.*$/, ''), max: 1 });
    try {
      const prisma = createPrismaClient(new PrismaPg(pool, { schema: db.schema }), logs.logger, resolve);
      expect(logs.warnings()).toEqual([expect.objectContaining({ msg: expect.stringContaining("using Prisma's own loader") })]);
      expect(String(logs.warnings()[0]?.reason)).toContain(reason);
      await expect(prisma.auditEvent.count()).resolves.toBe(0);
      await prisma.$disconnect();
    } finally {
      await pool.end();
    }
  };

  test("a runtime file missing: a warning, and Prisma's loader answers the queries", async () => {
    await withChangedRuntime((request) => {
      if (request.endsWith('.wasm-base64.js')) throw new Error(`Cannot find module '${request}'`);
      return require.resolve(request);
    }, 'Cannot find module');
  });

  test("a base64 module of another shape: a warning, and Prisma's loader answers the queries", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'query-compiler-'));
    try {
      const other = path.join(dir, 'other.js');
      writeFileSync(other, 'module.exports = { wasm: Buffer.from([0]) }\n');
      await withChangedRuntime(
        (request) => (request.endsWith('.wasm-base64.js') ? other : require.resolve(request)),
        'expected one quoted base64 literal',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
