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
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createGitFixture, type GitFixture } from '../git/fixture';
import { processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';

/** A dot release's git steps on a loaded machine: the bound for each wait. */
const RUN_MS = 90_000;
/** The lease of the test (a third of it between renewals). */
const LEASE_SECONDS = 3;

jest.setTimeout(300_000);

const OWNER = 'U0LEASEOWN';
const REQUESTER = 'U0LEASEASK';
const TRAIN = 302;

function repository(): { fixture: GitFixture; fixes: string[] } {
  const f = createGitFixture();
  f.commit('Initial', { 'a.txt': 'one\n', 'b.txt': 'bee\n' });
  const cut = f.commit('feat: 302', { 'e.txt': 'e\n' });
  f.git('tag', '-a', '-m', 'Train release 302', 'v1.302.0', cut);
  f.git('branch', 'train-302', cut);
  const fixes = [f.commit('fix: a', { 'a.txt': 'ONE\n' }), f.commit('fix: b', { 'b.txt': 'BEE\n' })];
  f.git('push', '--quiet', 'origin', '--all');
  f.git('push', '--quiet', 'origin', '--tags');
  return { fixture: f, fixes };
}

/** A post-receive hook: the push of train-302 writes `reached` and waits until `release` exists. */
function holdTrainPush(fixture: GitFixture): { reached: string; release: string } {
  const reached = path.join(fixture.root, 'reached');
  const release = path.join(fixture.root, 'release');
  const hook = path.join(fixture.remote, 'hooks', 'post-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "refs/heads/train-302" ]; then
    touch '${reached}'
    while [ ! -f '${release}' ]; do sleep 0.1; done
  fi
done
`,
  );
  chmodSync(hook, 0o755);
  return { reached, release };
}

async function arrangePlan(schema: string, fixes: string[]): Promise<number> {
  const now = new Date().toISOString();
  await rowsIn(
    schema,
    `INSERT INTO train_assignments (train, "slackUserId", source, "createdAt", "updatedAt") VALUES ($1, $2, 'override', $3, $3)`,
    [TRAIN, OWNER, now],
  );
  const [plan] = await rowsIn<{ id: number }>(
    schema,
    `INSERT INTO dot_releases (train, patch, tag, branch, status, "openTrain", "plannedBy", "createdAt", "updatedAt")
     VALUES ($1, 1, 'v1.302.1', 'train-302', 'planned', $1, $2, $3, $3) RETURNING id`,
    [TRAIN, OWNER, now],
  );
  const [request] = await rowsIn<{ id: number }>(
    schema,
    `INSERT INTO patch_requests (train, "requestedBy", reason, justification, "verifiedOnMain", "rawItems", status, "viewId", "trainWhere",
       "ownerAtRequest", "createdAt", "updatedAt", "decidedAt", "decidedBy", "dotReleaseId", "outcomeSentAt", "deliveredAt")
     VALUES ($1, $2, 'other', 'Users cannot sign in.', true, '', 'approved', 'V0LEASE01', 'on stage', $3, $4, $4, $4, $3, $5, $4, $4) RETURNING id`,
    [TRAIN, REQUESTER, OWNER, now, plan?.id],
  );
  for (const [position, sha] of fixes.entries()) {
    await rowsIn(
      schema,
      `INSERT INTO patch_request_commits ("requestId", train, sha, title, source, input, "mainOrder", position) VALUES ($1, $2, $3, $4, 'sha', $3, $5, $5)`,
      [request?.id, TRAIN, sha, `fix ${position}`, position],
    );
  }
  return plan?.id ?? 0;
}

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
  let repo: ReturnType<typeof repository> | undefined;
  afterAll(() => repo?.fixture.cleanup());

  test('is not run again by another replica while its process renews the lease; after a SIGKILL it is recovered and answered once', async () => {
    repo = repository();
    const { fixture, fixes } = repo;
    const dir = mkdtempSync(path.join(tmpdir(), 'intent-lease-'));
    const config = path.join(dir, 'settings.yml');
    writeFileSync(config, stringify({ gitRemoteUrl: fixture.remote, announcementChannel: 'C0FXATEAM0' }));
    h.slack.addChannel({ id: 'C0FXATEAM0', name: 'fxa-team' });
    h.slack.addUser({ id: OWNER, name: 'owner' });
    h.slack.addUser({ id: REQUESTER, name: 'requester' });
    const env = { CONDUCTOR_CONFIG: config, INTENT_LEASE_SECONDS: String(LEASE_SECONDS) };

    const first = await h.startBot(env);
    const planId = await arrangePlan(h.schema, fixes);
    const { reached, release } = holdTrainPush(fixture);
    const reply = await first.sender.sendBlockActions(
      first.sender.blockActionsPayload({
        userId: OWNER,
        actionId: 'dot_release_confirm',
        value: `${planId}:1`,
        channelId: h.slack.dmChannelFor(OWNER),
        responseUrl: h.slack.responseUrl('confirm'),
      }),
    );
    expect(reply.status).toBe(200);
    await waitFor(() => (existsSync(reached) ? true : undefined), RUN_MS);

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
    expect(fixture.remoteGit('log', '--format=%s', 'v1.302.0..train-302').split('\n')).toEqual(['fix: b', 'fix: a']);
    expect(fixture.remoteGit('tag', '-l', 'v1.302.*')).toBe('v1.302.0\nv1.302.1');
  });
});
