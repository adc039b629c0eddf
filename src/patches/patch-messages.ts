/**
 * The messages of patch requests: the request as the owner, the team channel
 * and the requester see it (with its buttons), its outcome, and the
 * announcement of a planned dot release. Everything a person typed, and every
 * commit title from GitHub, is escaped.
 */
import type { types } from '@slack/bolt';
import { actions, button, context, section } from '../slack/blocks';
import { fitMessage, list, type Part } from '../slack/budget';
import { actorText, escapeMrkdwn, link, mentionUser, slackDate } from '../slack/mrkdwn';
import type { Block } from '../slack/blocks';
import { formatInZones } from '../train/time-format';
import type { DotReleasePlan, PatchRequestRecord } from './patch-store';
import { reasonLabel } from './request-input';
import { describeWhere } from './request-view';

export const PATCH_APPROVE_ACTION = 'patch_approve';
export const PATCH_DECLINE_ACTION = 'patch_decline';
export const PATCH_ASK_ACTION = 'patch_ask';
export const PATCH_WITHDRAW_ACTION = 'patch_withdraw';
/** Opens the request modal preset to a train with a planned dot release (value: the train). */
export const PATCH_RIDE_ALONG_ACTION = 'patch_ride_along';
/** Opens the request modal (the dashboard's button). */
export const PATCH_REQUEST_OPEN_ACTION = 'patch_request_open';
/** On a planned dot release's announcement: shows the confirmation of the run (value: the plan's id and version). */
export const DOT_RELEASE_RUN_ACTION = 'dot_release_run';

/** The latest questions shown under a request; earlier ones are counted. */
const QUESTIONS_SHOWN = 5;

/** Who a copy of a request is for: deciders get the decision buttons, the requester the Withdraw button, the channel both. */
export type Audience = 'decider' | 'team' | 'requester';

interface Rendering {
  repository: string;
  displayTimeZones: readonly string[];
  /**
   * Display names by Slack id: the channel's copy names the requester and the
   * owner (each has a DM of their own, so a mention would notify them twice)
   * and the requester's copy says "you". Without a name, a mention.
   */
  names?: ReadonlyMap<string, string>;
}

/** A person in a copy for `audience`: named (not pinged) in the channel, "you" to the requester, a mention to the deciders. */
function personFor(audience: Audience, request: PatchRequestRecord, rendering: Rendering): (userId: string) => string {
  return (userId) => {
    if (audience === 'requester' && userId === request.requestedBy) return 'you';
    return actorText({ actor: userId, actorName: audience === 'decider' ? undefined : rendering.names?.get(userId) });
  };
}

function quote(text: string): string {
  return escapeMrkdwn(text.trim())
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

export function commitUrl(repository: string, sha: string): string {
  return `https://github.com/${repository}/commit/${sha}`;
}

function describeCommit(repository: string, commit: { sha: string; title: string; pullRequest: number | null }): string {
  const pr =
    commit.pullRequest !== null
      ? ` (${link(`https://github.com/${repository}/pull/${commit.pullRequest}`, `#${commit.pullRequest}`)})`
      : '';
  return `${link(commitUrl(repository, commit.sha), commit.sha.slice(0, 10))} ${escapeMrkdwn(commit.title)}${pr}`;
}

function when(instant: Date, zones: readonly string[]): string {
  return slackDate(instant, '{date_short_pretty} at {time}', formatInZones(instant, zones));
}

/** The request itself, without buttons. */
export function describeRequest(
  request: PatchRequestRecord,
  rendering: Rendering,
  person: (userId: string) => string = mentionUser,
): Part[] {
  const where = describeWhere(request.trainWhere);
  const blocks: Part[] = [
    section(
      `:adhesive_bandage: *Patch request #${request.id}* for *train ${request.train}* (${escapeMrkdwn(where)} when asked) from ${person(request.requestedBy)}\n` +
        `*Reason:* ${escapeMrkdwn(reasonLabel(request.reason))}   *Verified on main:* ${request.verifiedOnMain ? 'yes' : 'no'}` +
        (request.bugUrl ? `\n*Bug or failing test:* ${link(request.bugUrl, request.bugUrl)}` : ''),
    ),
    section(`*Justification*\n${quote(request.justification)}${request.impact ? `\n*Impact if it waits*\n${quote(request.impact)}` : ''}`),
    list(
      `*Commits* (${request.commits.length}, in the order given)`,
      request.commits.map((c) => `• ${describeCommit(rendering.repository, c)}`),
      { maxBlocks: 3 },
    ),
  ];
  if (request.trainWhere === 'in production') {
    blocks.push(
      context(
        `:warning: Train ${request.train} was in production when this was asked: its dot release reaches production soon after the tag.`,
      ),
    );
  }
  return blocks;
}

function decisionButtons(request: PatchRequestRecord, withWithdraw: boolean): types.Button[] {
  const value = String(request.id);
  const buttons = [
    button({ actionId: PATCH_APPROVE_ACTION, text: 'Approve', value, style: 'primary' }),
    button({ actionId: PATCH_DECLINE_ACTION, text: 'Decline', value, style: 'danger' }),
    button({ actionId: PATCH_ASK_ACTION, text: 'Ask for more information', value }),
  ];
  if (withWithdraw) buttons.push(button({ actionId: PATCH_WITHDRAW_ACTION, text: 'Withdraw', value }));
  return buttons;
}

/** One copy of a request, for `audience`, with its buttons while pending and its outcome once settled. */
export function renderRequestMessage(
  request: PatchRequestRecord,
  audience: Audience,
  options: Rendering & { ownerUserId: string | null },
): { text: string; blocks: Block[] } {
  const person = personFor(audience, request, options);
  const blocks = describeRequest(request, options, person);
  const text = `Patch request #${request.id} for train ${request.train} from ${person(request.requestedBy)}`;
  if (request.status !== 'pending') {
    blocks.push(context(describeOutcome(request, options)));
    return fitMessage({ text: `${text}: ${request.status}`, parts: blocks });
  }
  const decider = options.ownerUserId
    ? `${person(options.ownerUserId)} (owner of train ${request.train}) or an admin decides.`
    : `Train ${request.train} has no owner assigned: an admin decides.`;
  const asked = request.decisions.filter((d) => d.kind === 'question');
  for (const question of asked.slice(-QUESTIONS_SHOWN))
    blocks.push(context(`:speech_balloon: ${person(question.actor)} asked: ${escapeMrkdwn(question.text ?? '')}`));
  if (asked.length > QUESTIONS_SHOWN) blocks.push(context(`…and ${asked.length - QUESTIONS_SHOWN} earlier questions (in the DMs).`));
  if (audience === 'requester') {
    blocks.push(context(`Waiting for a decision: ${decider} You can withdraw it until then.`));
    blocks.push(
      actions(`patch_request:${request.id}`, [
        button({ actionId: PATCH_WITHDRAW_ACTION, text: 'Withdraw my request', value: String(request.id) }),
      ]),
    );
  } else {
    blocks.push(context(decider));
    blocks.push(actions(`patch_request:${request.id}`, decisionButtons(request, audience === 'team')));
  }
  return fitMessage({ text, parts: blocks });
}

/** "Approved by @alice on …: in dot release 302.3" and the like. */
export function describeOutcome(request: PatchRequestRecord, options: Rendering): string {
  const by = request.decidedBy ? mentionUser(request.decidedBy) : 'someone';
  const at = request.decidedAt ? ` on ${when(request.decidedAt, options.displayTimeZones)}` : '';
  switch (request.status) {
    case 'approved':
      return `:white_check_mark: Approved by ${by}${at}${request.dotRelease ? `: it goes into dot release *${request.train}.${request.dotRelease.patch}* (\`${escapeMrkdwn(request.dotRelease.tag)}\`)` : ''}.`;
    case 'declined':
      return `:no_entry_sign: Declined by ${by}${at}: ${escapeMrkdwn(request.decisionReason ?? '')}`;
    case 'withdrawn':
      return `:leftwards_arrow_with_hook: Withdrawn by ${by}${at}.`;
    default:
      return `Pending.`;
  }
}

/** The announcement of a planned dot release: what it will contain so far, and how to ride along. */
export function renderPlanAnnouncement(
  plan: DotReleasePlan,
  options: Rendering & { ownerUserId: string | null; runSummary?: string | undefined },
): { text: string; blocks: Block[] } {
  const owner = options.ownerUserId ? mentionUser(options.ownerUserId) : '_no owner assigned_';
  // Requesters are named, not pinged: each hears of the approval by DM (one notification per person).
  const named = (userId: string) => actorText({ actor: userId, actorName: options.names?.get(userId) });
  const reasons = new Map(plan.requests.map((r) => [r.id, r]));
  const lines = plan.commits.map((commit, index) => {
    const request = commit.requestId === null ? undefined : reasons.get(commit.requestId);
    const why = request ? `, ${escapeMrkdwn(reasonLabel(request.reason))}` : '';
    const asked =
      commit.requestId === null || commit.requestedBy === null
        ? 'forward port'
        : `request #${commit.requestId} by ${named(commit.requestedBy)}${why}`;
    return `${index + 1}. ${describeCommit(options.repository, commit)}: ${asked}`;
  });
  // Once the run started its announcement is redrawn with where it is (`runSummary`): no buttons then.
  const planned = options.runSummary === undefined;
  const what = (plan.forwardOf ?? null) !== null ? `Forward port to train ${plan.train}` : `Planning train ${plan.train}.${plan.patch}`;
  const blocks: Part[] = [
    section(`:package: *${what}*: \`${escapeMrkdwn(plan.tag)}\`, picked onto \`${escapeMrkdwn(plan.branch)}\`. Release owner: ${owner}`),
    list(
      planned ? '*What it will contain so far*, in the order it will be picked:' : '*What it contains*, in pick order:',
      lines.length > 0 ? lines : ['_nothing yet_'],
      { maxBlocks: 6 },
    ),
  ];
  if (options.runSummary) blocks.push(section(options.runSummary));
  if (!planned)
    return fitMessage({ text: `Dot release ${plan.train}.${plan.patch} (${escapeMrkdwn(plan.tag)}): ${plan.status}`, parts: blocks });
  blocks.push(
    context(
      'Have a fix that would not justify a dot release on its own but should go out with this one? Ask to ride along. ' +
        'Be selective: every extra patch adds work and risk. The owner (or an admin) runs it with *Run dot release*.',
    ),
    actions(`dot_release:${plan.id}`, [
      button({ actionId: DOT_RELEASE_RUN_ACTION, text: 'Run dot release', value: `${plan.id}:${plan.version}`, style: 'primary' }),
      button({ actionId: PATCH_RIDE_ALONG_ACTION, text: 'Request a ride-along', value: String(plan.train) }),
    ]),
  );
  return fitMessage({
    text: `Planning train ${plan.train}.${plan.patch} (${escapeMrkdwn(plan.tag)}): ${plan.commits.length} commit${plan.commits.length === 1 ? '' : 's'} so far`,
    parts: blocks,
  });
}
