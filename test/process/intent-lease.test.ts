/**
 * A durable button's work longer than the intent lease (a dot release whose push hangs): while its process is
 * alive, it renews the lease of its Confirm intent, so another replica's recovery does not run the Confirm again
 * (before, it claimed it once the lease ran out and ran the work twice, the second waiting for the first). Once
 * the process is SIGKILLed it stops renewing, and a new process recovers the intent a lease later and finishes
 * the release, answering once.
 *
 * Whether the second replica's recovery ran at all is witnessed by an intent of its own (a stale `notes add`
 * left by a dead process): the recovery claims every stale intent in one statement, so once the witness is
 * answered, the Confirm would have been claimed too had its lease run out.
 */
import { writeFileSync } from 'node:fs';
import { processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';
import { confirmWithPushHeld, REQUESTER, type Repo, repository, RUN_MS } from './dot-release-lease-scene';
/** The lease of the test (a third of it between renewals). */
const LEASE_SECONDS = 3;

jest.setTimeout(300_000);

/** A `notes add` acked by a process that died long ago: any recovery replays it. */
async function leaveStaleNoteIntent(schema: string, responseUrl: string): Promise<void> {
  const fields = {
    text: 'notes add Restart the auth server after the deploy',
    command: '/release',
    user_id: REQUESTER,
    channel_id: 'C0FXATEAM0',
    trigger_id: 'trigger-lease-witness',
    response_url: responseUrl,
  };
  const long = new Date(Date.now() - 10 * 60_000);
  await rowsIn(
    schema,
    `INSERT INTO slack_intents (key, kind, payload, status, attempts, "receivedAt", "claimedAt") VALUES ($1, 'command', $2::jsonb, 'pending', 1, $3, $3)`,
    [`command:${fields.trigger_id}`, JSON.stringify(fields), long],
  );
}

const confirmIntent = async (schema: string) =>
  (
    await rowsIn<{ attempts: number; status: string; receivedAt: Date; claimedAt: Date }>(
      schema,
      `SELECT attempts, status, "receivedAt", "claimedAt" FROM slack_intents WHERE key LIKE 'button:dot_release_confirm:%'`,
    )
  )[0];

describe('a durable button working longer than the intent lease', () => {
  const h = processHarnessForAll('intent-lease');
  let repo: Repo | undefined;
  afterAll(() => repo?.fixture.cleanup());

  test('is not run again by another replica while its process renews the lease; after a SIGKILL it is recovered and answered once', async () => {
    repo = repository();
    const { fixture } = repo;
    const { first, release, env } = await confirmWithPushHeld(
      h,
      repo,
      { ref: 'refs/heads/train-302', nth: 1 },
      { INTENT_LEASE_SECONDS: String(LEASE_SECONDS) },
    );

    // The push hangs for more than two leases; the lease keeps moving meanwhile.
    const received = (await confirmIntent(h.schema))?.receivedAt.getTime() ?? 0;
    await waitFor(() => (Date.now() - received > 2 * LEASE_SECONDS * 1000 ? true : undefined), RUN_MS);
    const renewed = await confirmIntent(h.schema);
    expect(renewed?.status).toBe('pending');
    expect(renewed?.claimedAt.getTime()).toBeGreaterThan(received);

    // Another replica starts: its recovery replays the witness, and leaves the Confirm alone.
    await leaveStaleNoteIntent(h.schema, h.slack.responseUrl('witness'));
    await h.startBot(env);
    await waitFor(() => (h.slack.responsesTo('witness').length > 0 ? true : undefined), RUN_MS);
    expect(JSON.stringify(h.slack.responsesTo('witness')[0]?.body)).toContain('Deploy note');
    expect(await confirmIntent(h.schema)).toMatchObject({ attempts: 1, status: 'pending' });
    expect(h.slack.responsesTo('confirm')).toEqual([]);

    // The first process dies in the middle: nobody renews its lease any more.
    first.bot.child.kill('SIGKILL');
    await first.bot.exited;
    writeFileSync(release, '');
    await h.startBot(env);
    const answers = await waitFor(() => {
      const got = h.slack.responsesTo('confirm');
      return got.some((r) => JSON.stringify(r.body).includes('released')) ? got : undefined;
    }, RUN_MS);
    expect(answers).toHaveLength(1);
    expect(await confirmIntent(h.schema)).toMatchObject({ attempts: 2 });
    expect(fixture.remoteGit('log', '--format=%s', 'v1.302.0..train-302').split('\n')).toEqual(['fix: c', 'fix: b', 'fix: a']);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.*')).toBe('v1.302.0\nv1.302.1');
  });
});
