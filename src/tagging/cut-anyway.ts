/**
 * The owner's choice on a confirmation that lists pull requests merged after
 * the cutoff: "Cut anyway" cuts exactly as Confirm does (cut-train.ts) and the
 * train's thread records who cut with which late PRs; Cancel cuts nothing and
 * the thread records that the owner chose to revert or wait. Each recorded once.
 */
import { nameOf } from '../slack/directory';
import { recordAudit } from '../audit/audit-store';
import { parseJsonObject, positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { section } from '../slack/blocks';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { confirmCut } from './cut-train';
import { requireTagger } from './permissions';
import type { LateDecisionValue } from './precut-plan';
import { encodeValue, renderCutRefusal } from './tag-view';
import { ensureTrainThread } from './train-thread';

/** @throws InvalidInputError when the value does not say which train and PRs it is about */
export function parseLateDecisionValue(value: string | undefined): LateDecisionValue {
  const parsed = parseJsonObject(value);
  const train = positiveIdOf(parsed?.train);
  const sha = parsed?.sha;
  const late = Array.isArray(parsed?.late) ? parsed.late.map((n: unknown) => positiveIdOf(n)) : null;
  if (train === null || typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha) || late === null || late.some((n) => n === null)) {
    throw new InvalidInputError(renderCutRefusal({ kind: 'confirm-value-unreadable' }));
  }
  return { train, sha, late: late.filter((n): n is number => n !== null) };
}

function pullRequestList(deps: AppDeps, numbers: number[]): string {
  const base = `https://github.com/${deps.config.settings.repository}/pull`;
  return numbers.map((n) => `<${base}/${n}|#${n}>`).join(', ');
}

/** A person's name for a thread line (a name, not a mention: they know what they clicked). */
async function nameFor(deps: AppDeps, userId: string): Promise<string> {
  return escapeMrkdwn((await nameOf(deps, userId)) ?? userId);
}

async function recordDecision(options: {
  deps: AppDeps;
  userId: string;
  now: Date;
  decision: LateDecisionValue;
  kind: 'cut' | 'wait';
}): Promise<void> {
  const { deps, userId, now, decision, kind } = options;
  const { train, sha, late } = decision;
  const thread = await ensureTrainThread({ deps, train, now });
  const who = await nameFor(deps, userId);
  const prs = pullRequestList(deps, late);
  const mrkdwn =
    kind === 'cut'
      ? `:warning: ${who} cut *train ${train}* anyway, with ${late.length} pull request${late.length === 1 ? '' : 's'} merged after the cutoff riding it: ${prs}.`
      : `:pause_button: ${who} did not cut *train ${train}* yet: ${prs} ${late.length === 1 ? 'was' : 'were'} merged after the cutoff (revert, or wait).`;
  const outcome = await deps.messenger.postOnce({
    key: `tagging:late-decision:${train}:${sha}:${kind}`,
    about: { train, kind: 'late-decision' },
    to: { channel: thread.channel },
    threadTs: thread.ts,
    message: { text: mrkdwn.replace(/[*]/g, ''), blocks: [section(mrkdwn)] },
    now,
  });
  if (outcome.outcome === 'failed') throw new Error(`Slack refused the late-merge decision of train ${train}: ${outcome.error}`);
  if (outcome.outcome === 'posted') {
    await recordAudit(deps.db.prisma, {
      actor: userId,
      action: kind === 'cut' ? 'tag.cut-anyway' : 'tag.wait-for-late-merges',
      subject: `train:${train}`,
      details: { sha, late },
      at: now,
    });
  }
}

/** "Cut anyway": the cut as Confirm makes it, then the decision in the thread. Returns the reply. */
export async function cutAnyway(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const decision = parseLateDecisionValue(options.value);
  const reply = await confirmCut({ ...options, value: encodeValue({ train: decision.train, sha: decision.sha }) });
  await recordDecision({ ...options, decision, kind: 'cut' });
  return reply;
}

/** Cancel on a confirmation with late merges: nothing is cut; the thread says the owner waits (or reverts). */
export async function waitForLateMerges(options: { deps: AppDeps; userId: string; now: Date; value: string | undefined }): Promise<string> {
  const decision = parseLateDecisionValue(options.value);
  await requireTagger({ ...options, train: decision.train, action: `decide on train ${decision.train}'s cut` });
  await recordDecision({ ...options, decision, kind: 'wait' });
  return (
    `Cancelled: nothing was dispatched, and train ${decision.train}'s thread says you are waiting. ` +
    `Revert the late pull requests on \`${escapeMrkdwn(options.deps.config.settings.mainBranch)}\` and run \`/release tag\` again, or run it when you are ready to cut with them.`
  );
}
