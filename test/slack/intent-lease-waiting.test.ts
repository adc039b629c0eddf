/**
 * The lease of a durable request's intent is kept for as long as its work is alive, not only while it runs:
 * - work admitted but waiting in the work queue (both slots taken by dashboards) longer than the lease is not
 *   claimed again by a recovery (this replica's minute job or another replica's) meanwhile;
 * - an intent whose insert was slower than the ack's limit (1 s) but committed later is kept while its work is
 *   alive, and marked done if the work finished before the insert landed.
 *
 * Real PostgreSQL and real time (the renewal is a timer); the slow insert is an uncommitted insert of the same key
 * by another session, rolled back once the ack has gone on without the intent.
 */
import type { Client } from 'pg';
import { InFlightWork } from '../../src/server/in-flight';
import { afterAck } from '../../src/slack/after-ack';
import { type IntentDeps, recoverIntents, runDurably } from '../../src/slack/intents';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';
import { connectToSchema, waitFor } from '../support/schema-sql';

/** The lease of the test (a renewal every second). */
const LEASE_SECONDS = 3;
const LEASE_MS = LEASE_SECONDS * 1000;

jest.setTimeout(60_000);

describe('the lease of an intent whose work is alive', () => {
  let database: TestDatabase;
  let deps: IntentDeps;
  beforeAll(async () => {
    database = await openTestDatabase();
    deps = { db: database.db, now: () => new Date(), logger: silentLogger, config: { env: { INTENT_LEASE_SECONDS: LEASE_SECONDS } } };
  });
  afterAll(async () => {
    await database.drop();
  });

  const intentRow = async (key: string) =>
    (
      await database.db.sql.query<{ status: string; attempts: number; claimedAt: Date }>(
        'SELECT status, attempts, "claimedAt" FROM slack_intents WHERE key = $1',
        [key],
      )
    )[0];

  /** A recovery as the minute job runs it; returns the keys it replayed. */
  const recover = async (): Promise<string[]> => {
    const replayed: string[] = [];
    const replay = async (payload: unknown) => {
      replayed.push(String((payload as { key: string }).key));
    };
    await recoverIntents({ deps, replayers: { command: replay, button: replay }, leaseMs: LEASE_MS });
    return replayed;
  };

  /** Until more than `ms` have passed since `since`. */
  const until = (since: number, ms: number) => waitFor(() => (Date.now() - since > ms ? true : undefined), ms + 10_000);

  /** A durable button whose afterAck work is `work`. */
  const durable = (inFlight: InFlightWork, key: string, work: () => Promise<unknown>, heavy = false) =>
    runDurably(
      { deps, key, kind: 'button', payload: { key } },
      async () => undefined,
      async (ack) => {
        await ack();
        afterAck({ inFlight, logger: silentLogger, heavy }, work);
      },
    );

  /** Another session inserts `key` and holds it uncommitted: an insert of the same key waits for it. */
  const holdKey = async (key: string): Promise<Client> => {
    const holder = await connectToSchema(database.schema);
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO slack_intents (key, kind, payload, status, attempts, "receivedAt", "claimedAt") VALUES ($1, 'button', '{}'::jsonb, 'pending', 1, now(), now())`,
      [key],
    );
    return holder;
  };
  const release = async (holder: Client) => {
    await holder.query('ROLLBACK');
    await holder.end();
  };

  test('a durable request waiting in a full work queue longer than the lease is not replayed while it waits', async () => {
    const inFlight = new InFlightWork({ maxConcurrent: 1 });
    // The only work slot is taken (a dashboard that takes long).
    let freeSlot: () => void = () => undefined;
    const slotTaken = inFlight.run(() => new Promise<void>((resolve) => (freeSlot = resolve)));
    let ran = 0;
    const key = 'button:queued:1';
    await durable(
      inFlight,
      key,
      async () => {
        ran += 1;
      },
      true,
    );
    const received = (await intentRow(key))?.claimedAt.getTime() ?? 0;
    expect(received).toBeGreaterThan(0);

    await until(received, LEASE_MS + 1000);
    expect(ran).toBe(0);
    expect(await recover()).toEqual([]);
    expect(await intentRow(key)).toMatchObject({ status: 'pending', attempts: 1 });

    freeSlot();
    await slotTaken;
    await waitFor(async () => ((await intentRow(key))?.status === 'done' ? true : undefined), 10_000);
    expect(ran).toBe(1);
  });

  test('an intent recorded after the ack’s limit is not replayed while its work still runs', async () => {
    const inFlight = new InFlightWork();
    const key = 'button:late-running:1';
    const holder = await holdKey(key);
    let endWork: () => void = () => undefined;
    const workEnds = new Promise<void>((resolve) => (endWork = resolve));
    let started = 0;
    await durable(inFlight, key, async () => {
      started += 1;
      await workEnds;
    });
    await waitFor(() => (started === 1 ? true : undefined), 10_000);
    // The ack went on without the intent; now the insert lands.
    await release(holder);
    const landed = await waitFor(async () => (await intentRow(key))?.claimedAt.getTime(), 10_000);

    await until(landed, LEASE_MS + 1000);
    expect(await recover()).toEqual([]);
    expect(await intentRow(key)).toMatchObject({ status: 'pending', attempts: 1 });

    endWork();
    await waitFor(async () => ((await intentRow(key))?.status === 'done' ? true : undefined), 10_000);
    expect(started).toBe(1);
  });

  test('an intent recorded after its work finished is marked done, not replayed', async () => {
    const inFlight = new InFlightWork();
    const key = 'button:late-finished:1';
    const holder = await holdKey(key);
    let ran = 0;
    await durable(inFlight, key, async () => {
      ran += 1;
    });
    // The work ran and finished (marking nothing done: there was no row yet) before the insert landed.
    expect(await inFlight.idle(10_000)).toBe(true);
    expect(ran).toBe(1);
    await release(holder);
    await waitFor(async () => ((await intentRow(key))?.status === 'done' ? true : undefined), 10_000);
    expect(await recover()).toEqual([]);
  });
});
