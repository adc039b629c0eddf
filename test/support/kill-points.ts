/**
 * Kill points on real processes (issue 13: "a SIGKILL at any point loses no acked command"): a bot whose acked work
 * is held uncommitted (its tables locked by the test), SIGKILLed, its dead sessions ended, and a new bot started on
 * the same database to finish the intents. Shared by test/process/durable-intents.test.ts and qa-kill.test.ts.
 */
import type { Client } from 'pg';
import type { SlackRequestSender } from '../fakes/slack-client';
import { urlForSchema } from './database';
import type { ProcessHarness } from './process-harness';
import { connectToSchema, rowsIn, waitFor } from './schema-sql';

/**
 * Starts a bot (it migrates the schema), arranges the scene, holds `tables` (the acked work waits for them, uncommitted), sends the requests, expects each acked,
 * SIGKILLs the bot, releases the tables and checks nothing answered yet; then starts a new bot (it finishes the intents).
 */
export async function ackedThenKilled(
  h: ProcessHarness,
  scene: { arrange: () => Promise<void>; hold: readonly string[] },
  send: (sender: SlackRequestSender) => Promise<Array<{ status: number }>>,
): Promise<void> {
  const first = await h.startBot({ DATABASE_URL: doomedUrl(h.schema) });
  await scene.arrange();
  const holder = await connectToSchema(h.schema);
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${scene.hold.join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const before = h.slack.responses.length;
  const replies = await send(first.sender);
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  first.bot.child.kill('SIGKILL');
  await first.bot.exited;
  await endDeadSessions(holder);
  await holder.query('COMMIT');
  await holder.end();
  expect(h.slack.responses.slice(before)).toEqual([]);
  await startRecoveringBot(h);
}

/** The lease of the bot that finishes a dead one's intents: long enough that its own replays, renewed every third of it, are never taken again by its minute job. */
const RECOVERY_LEASE_SECONDS = '10';

/**
 * Starts a bot that finishes what a killed one acked: the dead process's intents are made stale first (claimed an hour
 * ago, as if the lease had passed), so the new bot's start-up recovery takes them at once, while its own replays keep a
 * real lease. (With a lease of 0 every pending intent is stale, its own replay in progress too: a minute tick during a
 * slow replay ran it a second time, which answered "already approved; nothing changed".)
 */
export async function startRecoveringBot(h: ProcessHarness, env: Record<string, string> = {}) {
  await rowsIn(h.schema, `UPDATE slack_intents SET "claimedAt" = "claimedAt" - interval '1 hour' WHERE status = 'pending'`);
  return h.startBot({ ...env, INTENT_LEASE_SECONDS: RECOVERY_LEASE_SECONDS });
}

/** Waits until the intents are all done and `id` has an answer; returns its answers. */
export async function answersOnceDone(h: ProcessHarness, id: string) {
  await waitFor(() => (h.slack.responsesTo(id).length > 0 ? true : undefined));
  await waitFor(async () => {
    const pending = await rowsIn(h.schema, "SELECT key FROM slack_intents WHERE status <> 'done'");
    return pending.length === 0 ? true : undefined;
  });
  return h.slack.responsesTo(id);
}

/** The database URL of a bot that will be killed: its sessions carry an application name, so the test can find them. */
export function doomedUrl(schema: string): string {
  const url = new URL(urlForSchema(schema));
  url.searchParams.set('application_name', DOOMED);
  return url.toString();
}

// Unique to this Jest process, and looked for in its own database only: other test runs on the machine have their own.
const DOOMED = `release-conductor-doomed-${process.pid}`;

/**
 * Ends every session of the killed bot. PostgreSQL notices a closed connection only when it next reads it, and it
 * first runs what is already in its buffer: a statement the dead process sent just before it died would otherwise
 * wait for the held table and commit once the test released it. So end them until none is left.
 */
export async function endDeadSessions(holder: Client): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // Inside the holder's transaction pg_stat_activity is a snapshot taken once: take it anew each time.
    await holder.query('SELECT pg_stat_clear_snapshot()');
    const { rows: left } = await holder.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()',
      [DOOMED],
    );
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the killed bot still has ${left.length} database sessions`);
    await holder.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()',
      [DOOMED],
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
