/**
 * databaseOutageOf on the errors a real outage raises (made to happen here, not copied):
 * refused, hanging, cut and over-limit connections, through pg, pg-pool and Prisma's pg adapter.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool, type PoolClient } from 'pg';
import { databaseOutageOf } from '../../src/db/unavailable';
import { InvalidInputError } from '../../src/errors';
import { PrismaClient } from '../../src/generated/prisma/client';
import { testDatabaseUrl } from '../support/env';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const failureOf = async (work: () => Promise<unknown>): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

/**
 * The pool's one client, checked out. Connecting may itself take longer than the pool's 300 ms on a loaded
 * machine (the server forks a backend per connection): that is not what the test is about, so it tries again.
 */
async function heldClientOf(pool: Pool): Promise<PoolClient> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await pool.connect();
    } catch (error) {
      // Only the connection timeout is tried again; anything else is a failure of the test.
      if (attempt === 20 || !(error instanceof Error && error.message.includes('connection timeout'))) throw error;
    }
  }
}

describe('databaseOutageOf', () => {
  let proxy: TcpProxy;
  let url: string;
  const opened: { end(): Promise<void> }[] = [];
  const pool = (options: { max?: number; connectionTimeoutMillis?: number; user?: string } = {}) => {
    const target = new URL(url);
    if (options.user) target.username = options.user;
    const created = new Pool({
      connectionString: target.toString(),
      max: options.max ?? 2,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 300,
    });
    created.on('error', () => undefined); // idle connections cut by the proxy: expected here
    opened.push(created);
    return created;
  };
  const prismaOver = (p: Pool) => {
    const prisma = new PrismaClient({ adapter: new PrismaPg(p) });
    opened.push({ end: () => prisma.$disconnect() });
    return prisma;
  };
  beforeAll(async () => {
    const target = new URL(testDatabaseUrl);
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || '5432') });
    target.port = String(proxy.port);
    url = target.toString();
  });
  afterEach(async () => {
    await proxy.setMode('pass');
  });
  afterAll(async () => {
    for (const o of opened.reverse()) await o.end().catch(() => undefined);
    await proxy.close();
  });

  test('refused: pg and Prisma (a query and an interactive transaction) are "unreachable"', async () => {
    await proxy.setMode('refuse');
    const p = pool();
    const prisma = prismaOver(p);
    expect(databaseOutageOf(await failureOf(() => p.query('SELECT 1')))).toBe('unreachable');
    expect(databaseOutageOf(await failureOf(() => prisma.$queryRaw`SELECT 1`))).toBe('unreachable');
    expect(databaseOutageOf(await failureOf(() => prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`)))).toBe('unreachable');
  });

  test('hanging: connecting past the timeout, and waiting for a busy pool, are "not answering"', async () => {
    await proxy.setMode('hang');
    expect(databaseOutageOf(await failureOf(() => pool().query('SELECT 1')))).toBe('not-answering');
    expect(databaseOutageOf(await failureOf(() => prismaOver(pool()).$queryRaw`SELECT 1`))).toBe('not-answering');
    await proxy.setMode('pass');
    const busy = pool({ max: 1 });
    const held = await heldClientOf(busy);
    try {
      expect(databaseOutageOf(await failureOf(() => busy.query('SELECT 1')))).toBe('not-answering');
    } finally {
      held.release();
    }
  });

  test('cut mid-query: "connection lost"', async () => {
    const p = pool();
    const running = failureOf(() => p.query('SELECT pg_sleep(5)'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await proxy.setMode('refuse');
    expect(databaseOutageOf(await running)).toBe('connection-lost');
  });

  test('over the connection limit: "too many connections", through pg and Prisma', async () => {
    const admin = new Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    const role = `limited_${process.pid}`;
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
    try {
      const p = pool({ user: role });
      expect(databaseOutageOf(await failureOf(() => p.query('SELECT 1')))).toBe('too-many-connections');
      expect(databaseOutageOf(await failureOf(() => prismaOver(pool({ user: role })).$queryRaw`SELECT 1`))).toBe('too-many-connections');
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  test('other failures are not outages; a wrapped outage still is', async () => {
    const p = pool();
    expect(databaseOutageOf(await failureOf(() => p.query('SELECT * FROM no_such_table')))).toBeUndefined();
    expect(databaseOutageOf(new InvalidInputError('Give a number.'))).toBeUndefined();
    expect(databaseOutageOf(new Error('Connection refused by GitHub'))).toBeUndefined();
    await proxy.setMode('refuse');
    const refused = await failureOf(() => p.query('SELECT 1'));
    expect(databaseOutageOf(new Error('the store failed', { cause: refused }))).toBe('unreachable');
  });
});
