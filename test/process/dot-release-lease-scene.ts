/**
 * The scene of the dot-release process tests (kill points, the intent lease): a real repository with train 302 cut
 * and three fixes on main after it, a post-receive hook that holds a push, and dot release 302.1 planned with the
 * three fixes as approvals leave it.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createGitFixture, type GitFixture } from '../git/fixture';
import type { ProcessHarness } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';

/** A dot release's git steps on a loaded machine: the bound for each wait. */
export const RUN_MS = 90_000;

export const OWNER = 'U0DOTOWNER';
export const REQUESTER = 'U0DOTASKER';
export const TRAIN = 302;

export interface Repo {
  fixture: GitFixture;
  fixes: string[];
}

export function repository(): Repo {
  const f = createGitFixture();
  f.commit('Initial', { 'a.txt': 'one\n', 'b.txt': 'bee\n', 'c.txt': 'sea\n' });
  const cut = f.commit('feat: 302', { 'e.txt': 'e\n' });
  f.git('tag', '-a', '-m', 'Train release 302', 'v1.302.0', cut);
  f.git('branch', 'train-302', cut);
  const fixes = [
    f.commit('fix: a', { 'a.txt': 'ONE\n' }),
    f.commit('fix: b', { 'b.txt': 'BEE\n' }),
    f.commit('fix: c', { 'c.txt': 'SEA\n' }),
  ];
  f.git('push', '--quiet', 'origin', '--all');
  f.git('push', '--quiet', 'origin', '--tags');
  return { fixture: f, fixes };
}

/** A post-receive hook: the `nth` push updating `ref` writes `reached` and waits until `release` exists. */
export function holdPush(fixture: GitFixture, ref: string, nth: number): { reached: string; release: string } {
  const reached = path.join(fixture.root, 'reached');
  const release = path.join(fixture.root, 'release');
  const count = path.join(fixture.root, 'count');
  const hook = path.join(fixture.remote, 'hooks', 'post-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "${ref}" ]; then
    n=$(( $(cat '${count}' 2>/dev/null || echo 0) + 1 )); echo $n > '${count}'
    if [ "$n" = "${nth}" ]; then
      touch '${reached}'
      while [ ! -f '${release}' ]; do sleep 0.1; done
    fi
  fi
done
`,
  );
  chmodSync(hook, 0o755);
  return { reached, release };
}

/** The owner of train 302, and dot release 302.1 planned with the three fixes (as approvals leave it). */
export async function arrangePlan(schema: string, fixes: string[]): Promise<number> {
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
     VALUES ($1, $2, 'other', 'Users cannot sign in.', true, '', 'approved', 'V0DOT0001', 'on stage', $3, $4, $4, $4, $3, $5, $4, $4) RETURNING id`,
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

/**
 * Starts a bot (with `env` besides the scene's settings), plans 302.1, holds the `nth` push of `hold.ref`, presses
 * Confirm as the owner (answers to the response_url `confirm`) and waits until the push is held. Returns the bot,
 * the plan, the file that releases the push, and the environment (for the next bots).
 */
export async function confirmWithPushHeld(
  h: ProcessHarness,
  repo: Repo,
  hold: { ref: string; nth: number },
  env: Record<string, string> = {},
): Promise<{ first: Awaited<ReturnType<ProcessHarness['startBot']>>; planId: number; release: string; env: Record<string, string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dot-process-'));
  const config = path.join(dir, 'settings.yml');
  writeFileSync(config, stringify({ gitRemoteUrl: repo.fixture.remote, announcementChannel: 'C0FXATEAM0' }));
  h.slack.addChannel({ id: 'C0FXATEAM0', name: 'fxa-team' });
  h.slack.addUser({ id: OWNER, name: 'owner' });
  h.slack.addUser({ id: REQUESTER, name: 'requester' });
  const botEnv = { CONDUCTOR_CONFIG: config, ...env };
  const first = await h.startBot(botEnv);
  const planId = await arrangePlan(h.schema, repo.fixes);
  const { reached, release } = holdPush(repo.fixture, hold.ref, hold.nth);
  const reply = await first.sender.sendBlockActions(
    first.sender.blockActionsPayload({
      userId: OWNER,
      actionId: 'dot_release_confirm',
      value: `${planId}:1`,
      channelId: h.slack.dmChannelFor(OWNER),
      responseUrl: h.slack.responseUrl('confirm'),
    }),
  );
  if (reply.status !== 200) throw new Error(`Confirm answered HTTP ${reply.status}`);
  await waitFor(() => (existsSync(reached) ? true : undefined), RUN_MS);
  return { first, planId, release, env: botEnv };
}
