/**
 * Opens the database: PostgreSQL when a URL is given, otherwise embedded
 * PostgreSQL (PGlite) under the data directory. Both come with a Prisma client
 * and a small raw-SQL port used by the migrator, the readiness check and the
 * exactly-once ledgers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';
import type { Logger } from '../logger';
import { PrismaClient } from '../generated/prisma/client';

/** A dedicated connection: statements run in order on one session (advisory locks, transactions). */
export interface SqlSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements, without parameters. */
  exec(script: string): Promise<void>;
}

/** Raw SQL access for the parts that Prisma's query API does not cover. */
export interface SqlPort extends SqlSession {
  /** Runs `work` on one dedicated connection. */
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface Database {
  kind: 'postgres' | 'embedded';
  prisma: PrismaClient;
  sql: SqlPort;
  /**
   * For health checks: one connection at most, and every query bounded (connecting and answering within
   * PROBE_TIMEOUT_MS each), so a check never waits long or piles up connections when the database hangs.
   */
  probe: Pick<SqlSession, 'query'>;
  /** Where the data is, safe to log (no password). */
  description: string;
  close(): Promise<void>;
}

/** The database could not be reached within the time allowed. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly target: string,
    readonly waitedSeconds: number,
    readonly reason: string,
  ) {
    super(
      `Cannot reach the database at ${target} after ${waitedSeconds} s (${reason}). ` +
        'Check that PostgreSQL is running and that DATABASE_URL is right.',
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** Host, port and database of a URL, without credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}${schema ? ` (schema ${schema})` : ''}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

function pgErrorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Retries `attempt` with exponential backoff until it succeeds or `timeoutMs` has passed. */
async function retryUntil<T>(options: {
  attempt: () => Promise<T>;
  timeoutMs: number;
  logger: Logger;
  onGiveUp: (lastError: unknown, waitedMs: number) => Error;
}): Promise<T> {
  const started = Date.now();
  let delay = 250;
  for (;;) {
    try {
      return await options.attempt();
    } catch (error) {
      const waited = Date.now() - started;
      if (waited + delay > options.timeoutMs) throw options.onGiveUp(error, waited);
      options.logger.warn({ err: error, retryInMs: delay }, 'database not reachable yet, retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** The bytes of `@prisma/client/runtime/<name>.wasm-base64.js` that may appear between its two quotes. */
const BASE64_BYTE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Characters decoded at a time (a multiple of 4): the whole literal is never one string. */
const BASE64_SLICE = 256 * 1024;

/**
 * The WebAssembly in one of Prisma's `*.wasm-base64.js` modules (`const wasm = "<base64>"; module.exports = { wasm }`),
 * read as bytes and decoded a slice at a time. Throws when the file is not that shape.
 */
export function readBase64WasmModule(file: string): Buffer {
  const text = readFileSync(file);
  const open = text.indexOf(0x22); // "
  const close = open < 0 ? -1 : text.indexOf(0x22, open + 1);
  if (close < 0 || text.indexOf(0x22, close + 1) >= 0) throw new Error(`${file}: expected one quoted base64 literal`);
  const bytes = Buffer.allocUnsafe(Math.ceil(((close - open - 1) * 3) / 4));
  let length = 0;
  for (let from = open + 1; from < close; from += BASE64_SLICE) {
    const slice = text.toString('latin1', from, Math.min(from + BASE64_SLICE, close));
    if (!BASE64_BYTE.test(slice)) throw new Error(`${file}: the quoted literal is not base64`);
    length += bytes.write(slice, length, 'base64');
  }
  const wasm = bytes.subarray(0, length);
  if (wasm.readUInt32BE(0) !== 0x0061736d) throw new Error(`${file}: the decoded literal is not WebAssembly`);
  return wasm;
}

/** The one WebAssembly API used here (the project's lib, ES2023 without DOM, does not declare it). */
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };

interface CompilerWasmLoader {
  /** e.g. "./query_compiler_small_bg.js": the build (small or fast) Prisma was generated with. */
  importName: string;
  getRuntime: () => Promise<unknown>;
  getQueryCompilerWasmModule: () => Promise<object>;
}

function isCompilerWasmLoader(value: unknown): value is CompilerWasmLoader {
  return (
    typeof value === 'object' &&
    value !== null &&
    'importName' in value &&
    typeof value.importName === 'string' &&
    'getRuntime' in value &&
    typeof value.getRuntime === 'function' &&
    'getQueryCompilerWasmModule' in value &&
    typeof value.getQueryCompilerWasmModule === 'function'
  );
}

interface LoadedCompiler {
  runtime: unknown;
  module: object;
}

/** The runtimes and compiled modules loaded, by their files: read, decoded and compiled once a process. */
const loadedCompilers = new Map<string, LoadedCompiler>();

/**
 * The generated client gets its query compiler by `import()`ing a 2.3 MB JavaScript module that holds the
 * WebAssembly as one base64 string: Node parses it as a script, runs cjs-module-lexer over it (whose WebAssembly
 * memory grows to fit and never shrinks) and keeps the source and the string for the life of the process, about
 * 10 MB of RSS for 1.7 MB of WebAssembly. This points the client at the same file, read as bytes instead.
 * Its glue module (`getRuntime`, 8 kB) is required instead of imported, sparing the ESM loader's asynchronous
 * read and cjs-module-lexer's pass. Prisma keeps one compiled module per provider, so this runs once a process.
 *
 * Everything that can fail (Prisma's private `_engineConfig` of another shape, runtime files renamed or moved, a
 * base64 module of another shape) fails here, at construction, before Prisma's loader is replaced: Prisma caches
 * a loader that failed once, so a failure at the first connect would fail every query until a restart. On any
 * failure Prisma's own loader stays and the reason is returned (the bot always starts). `resolve` is
 * `require.resolve` (tests point it elsewhere).
 */
export function useLeanQueryCompilerLoader(
  prisma: PrismaClient,
  resolve: (request: string) => string = require.resolve,
): { lean: true } | { lean: false; reason: string } {
  const engineConfig: unknown = Reflect.get(prisma, '_engineConfig');
  const loader: unknown = typeof engineConfig === 'object' && engineConfig !== null ? Reflect.get(engineConfig, 'compilerWasm') : undefined;
  if (!isCompilerWasmLoader(loader)) return { lean: false, reason: "the client's _engineConfig.compilerWasm is not the loader expected" };
  const build = /^\.\/(query_compiler_\w+_bg)\.js$/.exec(loader.importName)?.[1];
  if (!build) return { lean: false, reason: `unexpected query compiler module ${loader.importName}` };
  const activeProvider: unknown = Reflect.get(engineConfig as object, 'activeProvider');
  if (typeof activeProvider !== 'string' || !/^\w+$/.test(activeProvider))
    return { lean: false, reason: "the client's _engineConfig.activeProvider is not a provider name" };
  let compiler: LoadedCompiler;
  try {
    const runtime = resolve(`@prisma/client/runtime/${build}.${activeProvider}.js`);
    const wasm = resolve(`@prisma/client/runtime/${build}.${activeProvider}.wasm-base64.js`);
    const key = `${runtime}\n${wasm}`;
    compiler = loadedCompilers.get(key) ?? { runtime: require(runtime), module: new WebAssembly.Module(readBase64WasmModule(wasm)) };
    loadedCompilers.set(key, compiler);
  } catch (error) {
    return { lean: false, reason: error instanceof Error ? error.message : String(error) };
  }
  loader.getRuntime = async () => compiler.runtime;
  loader.getQueryCompilerWasmModule = async () => compiler.module;
  return { lean: true };
}

/** A Prisma client on `adapter`, with the lean query compiler loader (a warning when it cannot be used). */
export function createPrismaClient(
  adapter: PrismaPg | InstanceType<typeof import('pglite-prisma-adapter').PrismaPGlite>,
  logger: Logger,
  resolve?: (request: string) => string,
): PrismaClient {
  const prisma = new PrismaClient({ adapter });
  const outcome = useLeanQueryCompilerLoader(prisma, resolve);
  if (!outcome.lean)
    logger.warn(
      { reason: outcome.reason },
      "cannot read Prisma's query compiler as bytes: using Prisma's own loader (about 10 MB more memory)",
    );
  return prisma;
}

/** How long the bot's own queries wait for a connection (connecting, or a free one in the pool) before failing. */
export const CONNECTION_TIMEOUT_MS = 5000;

/** How long a health check's query may take to connect, and then to answer. */
export const PROBE_TIMEOUT_MS = 1000;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pgPort(pool: Pool): SqlPort {
  const sessionOf = (client: Pool | PoolClient): SqlSession => ({
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await client.query<Row>(text, params);
      return result.rows;
    },
    async exec(script: string) {
      await client.query(script);
    },
  });
  return {
    ...sessionOf(pool),
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work(sessionOf(client));
      } finally {
        client.release();
      }
    },
  };
}

async function openPostgres(options: { url: string; logger: Logger; connectTimeoutSeconds: number }): Promise<Database> {
  const url = new URL(options.url);
  // Prisma's `?schema=` convention: the bot's tables live in that schema.
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const description = describeDatabaseUrl(options.url);
  const connection = {
    connectionString: url.toString(),
    options: schema ? `-c search_path=${quoteIdentifier(schema)}` : undefined,
    // A connection whose peer vanished (a black-holed network) is found by TCP keep-alive, not left waiting.
    keepAlive: true,
  };
  // No query timeout here: a session may wait on an advisory lock for as long as another replica's job holds it.
  const pool = new Pool({ ...connection, max: 10, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS });
  pool.on('error', (error) => options.logger.error({ err: error }, 'idle database connection failed'));
  // A failed or timed-out query releases its connection with the error, which destroys it: the next check connects anew.
  const probePool = new Pool({ ...connection, max: 1, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  probePool.on('error', (error) => options.logger.warn({ err: error }, 'idle health-check connection failed'));
  await retryUntil({
    attempt: async () => {
      await pool.query(schema ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}` : 'SELECT 1');
    },
    timeoutMs: options.connectTimeoutSeconds * 1000,
    logger: options.logger,
    onGiveUp: (error, waitedMs) => {
      void pool.end().catch(() => undefined);
      void probePool.end().catch(() => undefined);
      return new DatabaseUnavailableError(description, Math.round(waitedMs / 1000), pgErrorReason(error));
    },
  });
  const prisma = createPrismaClient(new PrismaPg(pool, schema ? { schema } : undefined), options.logger);
  return {
    kind: 'postgres',
    prisma,
    sql: pgPort(pool),
    probe: {
      async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
        return (await probePool.query<Row>(text, params)).rows;
      },
    },
    description,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), probePool.end()]);
    },
  };
}

async function openEmbedded(options: { dataDir: string; logger: Logger }): Promise<Database> {
  // Loaded only for the embedded database (about 12 MB that a PostgreSQL deployment does not need).
  // require, not import(): Jest's module system cannot run a dynamic import without a flag.
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PrismaPGlite } = require('pglite-prisma-adapter') as typeof import('pglite-prisma-adapter');
  const directory = path.resolve(options.dataDir, 'pglite');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  // PGlite is one connection: a session is the whole database, taken in turn.
  let queue: Promise<unknown> = Promise.resolve();
  const holding = new AsyncLocalStorage<true>();
  const session: SqlSession = {
    async query<Row extends Record<string, unknown>>(text: string, params?: unknown[]) {
      const result = await db.query<Row>(text, params);
      return result.rows;
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
  const prisma = createPrismaClient(new PrismaPGlite(db), options.logger);
  return {
    kind: 'embedded',
    prisma,
    description: `embedded PostgreSQL in ${directory}`,
    // One connection in the process: a check runs like any query (it cannot hang on a network).
    probe: session,
    sql: {
      ...session,
      withSession(work) {
        // Re-entrant: work already holding the session (e.g. a post under a lock, which takes the post's own lock)
        // runs on it at once instead of queueing behind itself.
        if (holding.getStore()) return work(session);
        const run = queue.then(() => holding.run(true, () => work(session)));
        queue = run.catch(() => undefined);
        return run;
      },
    },
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}

/** Opens PostgreSQL at `databaseUrl`, or the embedded database under `dataDir` when there is none. */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  connectTimeoutSeconds: number;
}): Promise<Database> {
  const logger = options.logger.child({ module: 'db' });
  const database = options.databaseUrl
    ? await openPostgres({ url: options.databaseUrl, logger, connectTimeoutSeconds: options.connectTimeoutSeconds })
    : await openEmbedded({ dataDir: options.dataDir, logger });
  logger.info({ database: database.description }, 'database connected');
  return database;
}
