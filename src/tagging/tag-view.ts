/** The tagging feature's messages, as Block Kit: the confirmation, and what is posted in the train's thread. */
import type { Settings } from '../config';
import type { PullRequestSummary } from '../github/client';
import { actions, button, context, header, section, type Block } from '../slack/blocks';
import { fitBlocks, fitMessage, list, moreOnGitHub, type Part } from '../slack/budget';
import { actorText, channelLabel, clipMrkdwn, escapeMrkdwn, link, mentionUser } from '../slack/mrkdwn';
import { formatCountdown, formatInZones } from '../train/time-format';
import type {
  CiFailureRefusal,
  CutBlocker,
  CutOutcome,
  CutRefusal,
  CutWarning,
  DispatchRefusal,
  FailingJob,
  ImageFailure,
  Lateness,
  TagNotice,
  TrainCountProblem,
} from './outcomes';
import type { MergedPullRequest } from '../github/types';
import { renderPrecutLines } from '../reminders/precut-checks';
import type { LateDecisionValue, PrecutPlan } from './precut-plan';
import type { NoticeDraft } from './release-store';
import { describeState } from './states';

export const TAG_CONFIRM_ACTION = 'tag_confirm';
export const TAG_CANCEL_ACTION = 'tag_cancel';
export const TAG_RETRY_ACTION = 'tag_retry';
export const TAG_FILE_ISSUE_ACTION = 'tag_file_issue';
export const TAG_FILE_ISSUE_CONFIRM_ACTION = 'tag_file_issue_confirm';
export const TAG_FLAKY_ACTION = 'tag_known_flaky';
/** "Cut anyway" on a confirmation listing pull requests merged after the cutoff. */
export const TAG_CUT_ANYWAY_ACTION = 'tag_cut_anyway';
/** Cancel on a confirmation listing late merges: nothing is cut, and the thread records the choice to wait (or revert). */
export const TAG_LATE_CANCEL_ACTION = 'tag_late_cancel';
/** Late pull requests carried in a button's value at most (Slack allows 2,000 characters). */
const LATE_IN_VALUE = 100;

/** How many pull requests are listed by number; the rest are counted. */
const LISTED = 12;
/** Failing jobs named in a CI failure notice and in the issue's preview; the rest are counted. */
const LISTED_JOBS = 20;

/** The Confirm button's value: the train and the commit the owner saw. */
export interface ConfirmValue {
  train: number;
  sha: string;
}

/** The value of the buttons that act on one release (retry, file an issue, known flaky). */
export interface ReleaseValue {
  id: number;
  attempt: number;
}

export function encodeValue(value: ConfirmValue | ReleaseValue | LateDecisionValue): string {
  return JSON.stringify(value);
}

function repoUrl(settings: Settings): string {
  return `https://github.com/${settings.repository}`;
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

function pullRequestLinks(settings: Settings, numbers: number[]): string {
  const listed = numbers.slice(0, LISTED).map((n) => `<${repoUrl(settings)}/pull/${n}|#${n}>`);
  const more = numbers.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function lateLine(settings: Settings, pr: MergedPullRequest): string {
  const at = formatInZones(new Date(pr.mergedAt), settings.displayTimeZones.slice(0, 1));
  return `• ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${escapeMrkdwn(pr.authorLogin ?? 'unknown')}, merged ${at}`;
}

function rollingLines(pullRequests: PullRequestSummary[]): string[] {
  return pullRequests.map((pr) => `• ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${escapeMrkdwn(pr.authorLogin ?? 'unknown')}`);
}

/** A failing job, linked to its log when there is one; its name escaped either way. */
function jobLine(job: FailingJob): string {
  return `• ${job.url ? link(job.url, job.name) : code(job.name)}`;
}

function renderWarning(settings: Settings, warning: CutWarning): string {
  switch (warning.kind) {
    case 'pull-requests-unlisted':
      return `Could not list the open pull requests: ${escapeMrkdwn(warning.message)}`;
    case 'ci-failing':
      return `CI is failing on ${code(warning.branch)}'s head: ${warning.checks.map(code).join(', ')}.`;
    case 'before-cutoff':
      return `Train ${warning.train}'s cutoff is not until ${formatInZones(warning.cutoff, settings.displayTimeZones)} (in ${formatCountdown(warning.now, warning.cutoff)}).`;
  }
}

function renderBlocker(blocker: CutBlocker): string {
  switch (blocker.kind) {
    case 'tag-exists':
      return `The tag ${code(blocker.tag)} already exists: train ${blocker.train} was cut already.`;
    case 'branch-exists':
      return (
        `The branch ${code(blocker.branch)} already exists (at \`${blocker.head.slice(0, 7)}\`), so the workflow would fail or cut twice. ` +
        'If it was left by a failed run, delete it first.'
      );
    case 'cut-on-record':
      return `A cut of train ${blocker.train} is already on record: ${describeState(blocker.state, escapeMrkdwn(blocker.tag))} (asked by ${mentionUser(blocker.requestedBy)}).`;
  }
}

/** Why the tags do not give the train to cut. */
export function renderTrainCountProblem(problem: TrainCountProblem): string {
  if (problem.kind === 'no-release-tag') {
    return (
      'The repository has no release tag to count from, so the tagging workflow cannot compute a train number. ' +
      'Push the first release tag by hand; nothing was dispatched.'
    );
  }
  return (
    `The tagging workflow would cut *train ${problem.predicted}*: it counts from ${code(problem.basedOnTag)}, ` +
    `the highest tag without a hyphen in git's version order. The release tags say the next train is *${problem.intended}*. ` +
    `Rename or delete the tag ${code(problem.basedOnTag)} (or give it a hyphen) and try again; nothing was dispatched.`
  );
}

/** Why GitHub refused a dispatch, for a person (mrkdwn). */
export function renderDispatchRefusal(refusal: DispatchRefusal): string {
  const name = code(refusal.workflow);
  switch (refusal.kind) {
    case 'workflow-not-found':
      return `GitHub cannot find the workflow ${name} in ${escapeMrkdwn(refusal.repository)} (or the bot's token cannot see it). Check \`tagWorkflow\` / \`imageWorkflow\` in the settings.`;
    case 'missing-scopes': {
      const scopes = refusal.missingScopes.map(code).join(' or ');
      const has = refusal.tokenScopes && refusal.tokenScopes.length > 0 ? refusal.tokenScopes.map(code).join(', ') : 'no scopes';
      return `GitHub refused to start ${name}: the bot's token is missing the ${scopes} scope (it has ${has}). An admin must grant it.`;
    }
    case 'forbidden':
      return `GitHub refused to start ${name}: ${escapeMrkdwn(refusal.message)} (a classic token needs the \`repo\` scope; a fine-grained one "Actions: write").`;
    case 'rate-limited':
      return `GitHub refused to start ${name} for now: ${escapeMrkdwn(refusal.message)}`;
    case 'refused':
      return `GitHub refused to start ${name}: ${escapeMrkdwn(refusal.message)}`;
  }
}

const NOTHING = 'Nothing was dispatched.';

/** Why a confirmation or a retry of a cut is refused, for the person who clicked. */
export function renderCutRefusal(refusal: CutRefusal): string {
  switch (refusal.kind) {
    case 'confirm-value-unreadable':
      return `That button does not say which train to cut; run \`/release tag\` again. ${NOTHING}`;
    case 'release-value-unreadable':
      return 'That button does not say which release it is about; `/release status` shows the current cut.';
    case 'train-uncountable':
      return renderTrainCountProblem(refusal.problem);
    case 'main-missing':
      return `The branch ${code(refusal.branch)} does not exist in ${escapeMrkdwn(refusal.repository)}; nothing was dispatched.`;
    case 'tag-exists':
      return `The tag ${code(refusal.tag)} already exists: train ${refusal.train} was cut already (not by me). ${NOTHING}`;
    case 'branch-exists':
      return (
        `The branch ${code(refusal.branch)} already exists (at \`${refusal.head.slice(0, 7)}\`): the workflow would fail, or cut the train twice. ` +
        `If a failed run left it behind, delete it and try again. ${NOTHING}`
      );
    case 'next-train-changed':
      return (
        `The next train is now ${refusal.next}, not ${refusal.train}: the tags changed since this confirmation. ` +
        `Run \`/release tag\` again to see what would be cut. ${NOTHING}`
      );
    case 'retry-train-changed':
      return `The tagging workflow would now cut train ${refusal.next}, not ${refusal.train}: the tags changed. ${NOTHING}`;
    case 'main-moved':
      return (
        `${code(refusal.branch)} has moved since this confirmation (it was at \`${refusal.confirmedSha.slice(0, 7)}\`, it is ` +
        `${refusal.head ? `at \`${refusal.head.slice(0, 7)}\`` : 'gone'}). Run \`/release tag\` again to see what would be cut. ${NOTHING}`
      );
    case 'being-cut':
      return (
        `Train ${refusal.train} is already being cut: ${describeState(refusal.state, escapeMrkdwn(refusal.tag))}, ` +
        `asked by ${mentionUser(refusal.requestedBy)}. I never cut a train twice; follow it in the train's thread.`
      );
    case 'unknown-release':
      return 'I have no record of the cut this button is about; it may be from an old message. Start again with `/release tag`.';
    case 'retry-out-of-date':
      return `That retry button is out of date: ${describeState(refusal.state, escapeMrkdwn(refusal.tag))} (attempt ${refusal.attempt}). ${NOTHING}`;
    case 'adopt-raced':
      return 'Someone else acted on this cut at the same moment; look at the thread.';
    case 'retry-raced':
      return `Someone else retried train ${refusal.train} at the same moment; follow it in the thread. ${NOTHING}`;
  }
}

/** What a confirmed cut (or its retry) did, for the person who clicked. */
export function renderCutOutcome(settings: Settings, outcome: CutOutcome): string {
  if (outcome.kind === 'run-found-late') {
    return `:mag: A run did start after all (<${outcome.runUrl}|run ${outcome.runId}>): I'm following it instead of dispatching again. ${NOTHING}`;
  }
  const { train, result } = outcome;
  const workflow = code(settings.tagWorkflow);
  switch (result.outcome) {
    case 'dispatched':
      return `:label: Dispatched ${workflow} for train ${train}. I'll report the run, CI and stage in the train's thread in ${channelLabel(settings.announcementChannel)}.`;
    case 'uncertain':
      return (
        `:hourglass: I sent the dispatch of ${workflow} for train ${train}, but GitHub's answer was lost (${escapeMrkdwn(result.message)}). ` +
        `I'm looking for the run it may have started and will not dispatch again by myself; follow along in the train's thread.`
      );
    case 'refused':
      return `:warning: ${renderDispatchRefusal(result.refusal)} ${NOTHING}`;
  }
}

/** The ephemeral confirmation of `/release tag`. Without blockers it has Confirm and Cancel. */
/** `threadChannel`: the channel as configured (an id renders as a channel mention, a name as escaped text). */
export function renderCutConfirmation(plan: PrecutPlan, settings: Settings, threadChannel: string): { text: string; blocks: Block[] } {
  const commitUrl = `${repoUrl(settings)}/commit/${plan.source.sha}`;
  const blocks: Part[] = [
    header(`Cut train ${plan.train}?`),
    section(
      `*What happens:* I dispatch ${code(settings.tagWorkflow)} on ${code(settings.mainBranch)}. It pushes the branch ${code(plan.branch)} ` +
        `and the tag ${code(plan.tag)} (train ${plan.train}: it counts from ${code(plan.basedOnTag)}). ` +
        `Then I follow the run, CI (${code(settings.ciCheckName)}) and stage, and report in train ${plan.train}'s thread in ${channelLabel(threadChannel)}.`,
    ),
    section(
      `*Cut from:* ${code(settings.mainBranch)} at <${commitUrl}|\`${plan.source.sha.slice(0, 7)}\`>` +
        (plan.source.title ? ` ${escapeMrkdwn(plan.source.title)}` : ''),
    ),
  ];
  if (plan.madeIt && plan.previousTag) {
    const prs = plan.madeIt.pullRequests.length > 0 ? `: ${pullRequestLinks(settings, plan.madeIt.pullRequests)}` : '';
    blocks.push(
      section(
        `*Made it:* ${plan.madeIt.totalCommits} commit${plan.madeIt.totalCommits === 1 ? '' : 's'} since ${code(plan.previousTag)}${prs}`,
      ),
    );
  }
  if (plan.rolling) {
    blocks.push(
      plan.rolling.length === 0
        ? section(`*Rolls to train ${plan.train + 1}:* no open pull requests into ${code(settings.mainBranch)}.`)
        : list(
            `*Rolls to train ${plan.train + 1}:* ${plan.rolling.length} open pull request${plan.rolling.length === 1 ? '' : 's'} into ${code(settings.mainBranch)}`,
            rollingLines(plan.rolling),
            {
              maxBlocks: 1,
              maxItems: LISTED,
              more: moreOnGitHub(settings.repository, `is:pr is:open base:${settings.mainBranch}`),
            },
          ),
    );
  }
  for (const warning of plan.warnings) blocks.push(section(`:warning: ${renderWarning(settings, warning)}`));
  blocks.push(list('*Before you cut:*', renderPrecutLines(plan.precut, settings, { withCi: false }), { maxBlocks: 1, maxItems: LISTED }));
  const late = plan.late.kind === 'merged' ? plan.late : null;
  if (late) {
    blocks.push(
      list(
        `:warning: *Merged after the cutoff* (${formatInZones(late.cutoff, settings.displayTimeZones)}): ` +
          `${late.pullRequests.length} pull request${late.pullRequests.length === 1 ? '' : 's'}. The workflow tags ${code(settings.mainBranch)}'s head, so ${late.pullRequests.length === 1 ? 'it rides' : 'they ride'} train ${plan.train} if you cut now:`,
        late.pullRequests.map((pr) => lateLine(settings, pr)),
        {
          maxBlocks: 1,
          maxItems: LISTED,
          more: moreOnGitHub(
            settings.repository,
            `is:pr is:merged base:${settings.mainBranch} merged:>=${late.cutoff.toISOString().slice(0, 16)}`,
          ),
        },
      ),
      section(
        `*Your choice:* cut anyway (they ride train ${plan.train}); or revert them on ${code(settings.mainBranch)} and run \`/release tag\` again; ` +
          "or wait (cancel now, cut when you are ready). Either way, the train's thread records it.",
      ),
    );
  } else if (plan.late.kind === 'unknown') {
    blocks.push(section(`:warning: Could not check for pull requests merged after the cutoff: ${escapeMrkdwn(plan.late.message)}`));
  }
  for (const blocker of plan.blockers) blocks.push(section(`:no_entry: ${renderBlocker(blocker)}`));
  if (plan.blockers.length === 0 && late) {
    const value = encodeValue({
      train: plan.train,
      sha: plan.source.sha,
      late: late.pullRequests.slice(0, LATE_IN_VALUE).map((pr) => pr.number),
    });
    blocks.push(
      actions(`tag:${plan.train}`, [
        button({ actionId: TAG_CUT_ANYWAY_ACTION, text: `Cut train ${plan.train} anyway`, value, style: 'danger' }),
        button({ actionId: TAG_LATE_CANCEL_ACTION, text: 'Cancel (revert or wait)', value }),
      ]),
    );
  } else if (plan.blockers.length === 0) {
    blocks.push(
      actions(`tag:${plan.train}`, [
        button({
          actionId: TAG_CONFIRM_ACTION,
          text: `Cut train ${plan.train}`,
          value: encodeValue({ train: plan.train, sha: plan.source.sha }),
          style: 'primary',
        }),
        button({ actionId: TAG_CANCEL_ACTION, text: 'Cancel' }),
      ]),
    );
  } else {
    blocks.push(
      context(`Nothing can be dispatched for train ${plan.train} until this is sorted out.`),
      actions(`tag:${plan.train}`, [button({ actionId: TAG_CANCEL_ACTION, text: 'Close' })]),
    );
  }
  const text =
    plan.blockers.length === 0
      ? `${late ? `${late.pullRequests.length} merged after the cutoff. ` : ''}Cut train ${plan.train} from ${settings.mainBranch} at ${plan.source.sha.slice(0, 7)}?`
      : `Train ${plan.train} cannot be cut now.`;
  return fitMessage({ text, parts: blocks });
}

// --- thread notices -----------------------------------------------------------

function notice(key: string, mrkdwn: string, extra: Part[] = [], lead: Part[] = []): NoticeDraft {
  return { key, text: clipMrkdwn(mrkdwn.replace(/[*`]/g, ''), 3000), blocks: fitBlocks([section(mrkdwn), ...lead, ...extra]) };
}

function dispatchedNotice(options: {
  settings: Settings;
  train: number;
  tag: string;
  sha: string | null;
  actor: string;
  actorName?: string;
  attempt: number;
  uncertain: boolean;
}): NoticeDraft {
  const { settings } = options;
  const from = options.sha ? ` at <${repoUrl(settings)}/commit/${options.sha}|\`${options.sha.slice(0, 7)}\`>` : '';
  const again = options.attempt > 1 ? ` (attempt ${options.attempt})` : '';
  const uncertain = options.uncertain
    ? ' GitHub did not confirm the dispatch clearly; I am checking whether a run started, and will not dispatch again by myself.'
    : '';
  return notice(
    `dispatched#${options.attempt}`,
    `:label: ${actorText(options)} is cutting *train ${options.train}*${again}: I dispatched ${code(settings.tagWorkflow)} on ${code(settings.mainBranch)}${from}. ` +
      `I'll follow the run, then CI on ${code(options.tag)}, here.${uncertain}`,
  );
}

function runFailedNotice(options: {
  train: number;
  attempt: number;
  releaseId: number;
  runUrl: string | null;
  conclusion: string;
}): NoticeDraft {
  const logs = options.runUrl ? link(options.runUrl, 'the run and its logs') : 'the run';
  return notice(
    `run_failed#${options.attempt}`,
    `:x: The tagging run for train ${options.train} ended with *${escapeMrkdwn(options.conclusion)}*: see ${logs}. ` +
      'Check whether it pushed anything (a branch left behind blocks a retry), then retry.',
    [
      actions(`tag-retry:${options.releaseId}`, [
        button({
          actionId: TAG_RETRY_ACTION,
          text: 'Retry the cut',
          value: encodeValue({ id: options.releaseId, attempt: options.attempt }),
        }),
      ]),
    ],
  );
}

function runMissingNotice(options: {
  settings: Settings;
  train: number;
  attempt: number;
  releaseId: number;
  minutes: number;
}): NoticeDraft {
  const runs = `${repoUrl(options.settings)}/actions/workflows/${options.settings.tagWorkflow}`;
  return notice(
    `run_missing#${options.attempt}`,
    `:warning: No run of ${code(options.settings.tagWorkflow)} appeared within ${options.minutes} minutes of the dispatch for train ${options.train}. ` +
      `Look at <${runs}|the workflow's runs>; a retry checks again for a run before dispatching.`,
    [
      actions(`tag-retry:${options.releaseId}`, [
        button({
          actionId: TAG_RETRY_ACTION,
          text: 'Retry the cut',
          value: encodeValue({ id: options.releaseId, attempt: options.attempt }),
        }),
      ]),
    ],
  );
}

function taggedNotice(options: { settings: Settings; tag: string; branch: string; sha: string; attempt: number }): NoticeDraft {
  return notice(
    `tagged#${options.attempt}`,
    `:label: Tagged ${code(options.tag)} (branch ${code(options.branch)}) at <${repoUrl(options.settings)}/commit/${options.sha}|\`${options.sha.slice(0, 7)}\`>. ` +
      `Watching CI (${code(options.settings.ciCheckName)}).`,
  );
}

function ciPassedNotice(options: { settings: Settings; tag: string; url: string | null; attempt: number }): NoticeDraft {
  const next = options.settings.dispatchImageWorkflow
    ? `Building images with ${code(options.settings.imageWorkflow)}.`
    : 'Waiting for it to reach stage.';
  return notice(
    `ci_passed#${options.attempt}`,
    `:white_check_mark: CI passed on ${code(options.tag)}${options.url ? ` (${link(options.url, 'CI')})` : ''}. ${next}`,
  );
}

function ciFailedNotice(options: {
  settings: Settings;
  tag: string;
  url: string | null;
  attempt: number;
  releaseId: number;
  jobs: FailingJob[];
}): NoticeDraft {
  const value = encodeValue({ id: options.releaseId, attempt: options.attempt });
  const failed = `:x: CI failed on ${code(options.tag)}${options.url ? ` (${link(options.url, 'CI')})` : ''}. Failing jobs:`;
  const advice = 'A new failure deserves an issue; a known flaky one can be recorded as such.';
  if (options.jobs.length <= LISTED_JOBS) {
    return notice(`ci_failed#${options.attempt}`, `${failed}\n${options.jobs.map(jobLine).join('\n')}\n${advice}`, [
      actions(`tag-ci:${options.releaseId}`, [
        button({ actionId: TAG_FILE_ISSUE_ACTION, text: 'File an issue', value }),
        button({ actionId: TAG_FLAKY_ACTION, text: 'Known flaky', value }),
      ]),
    ]);
  }
  // Many failing jobs: the first ones by name, the rest counted, the advice after the list.
  return notice(
    `ci_failed#${options.attempt}`,
    `${failed} ${options.jobs.length}`,
    [
      section(advice),
      actions(`tag-ci:${options.releaseId}`, [
        button({ actionId: TAG_FILE_ISSUE_ACTION, text: 'File an issue', value }),
        button({ actionId: TAG_FLAKY_ACTION, text: 'Known flaky', value }),
      ]),
    ],
    [list('', options.jobs.map(jobLine), { maxBlocks: 2, maxItems: LISTED_JOBS })],
  );
}

function imageDispatchedNotice(options: { settings: Settings; tag: string; attempt: number; uncertain: boolean }): NoticeDraft {
  return notice(
    `image_dispatched#${options.attempt}`,
    `:whale: Dispatched ${code(options.settings.imageWorkflow)} with \`git_tag=${escapeMrkdwn(options.tag)}\`.` +
      (options.uncertain ? ' GitHub did not confirm the dispatch clearly; I am checking whether a run started.' : ''),
  );
}

function runLink(url: string | null): string {
  return url ? ` (${link(url, 'run')})` : '';
}

function imageBuiltNotice(options: { tag: string; attempt: number; url: string | null }): NoticeDraft {
  return notice(
    `image_built#${options.attempt}`,
    `:whale: Images of ${code(options.tag)} built${runLink(options.url)}. Waiting for stage.`,
  );
}

function imageFailedNotice(options: { tag: string; attempt: number; url: string | null; failure: ImageFailure }): NoticeDraft {
  const detail = imageFailureDetail(options.failure);
  return notice(
    `image_failed#${options.attempt}`,
    `:x: Building the images of ${code(options.tag)} failed: ${escapeMrkdwn(detail)}${runLink(options.url)}.`,
  );
}

function onStageNotice(options: { train: number; tag: string; version: string; attempt: number }): NoticeDraft {
  return notice(
    `on_stage#${options.attempt}`,
    `:rocket: *Train ${options.train} is on stage* (stage reports \`${escapeMrkdwn(options.version)}\` for ${code(options.tag)}).`,
  );
}

/** Lateness, reported once per state. */
function overdueNotice(options: { key: string; text: string }): NoticeDraft {
  return notice(options.key, `:hourglass: ${options.text}`);
}

function issueFiledNotice(options: { actor: string; actorName?: string; number: number; url: string; attempt: number }): NoticeDraft {
  return notice(
    `issue#${options.attempt}`,
    `:memo: ${actorText(options)} filed ${link(options.url, `issue #${options.number}`)} about the CI failure.`,
  );
}

function flakyNotice(options: { actor: string; actorName?: string; attempt: number }): NoticeDraft {
  return notice(`flaky#${options.attempt}`, `:repeat: ${actorText(options)} recorded the CI failure as *known flaky*.`);
}

function imageFailureDetail(failure: ImageFailure): string {
  switch (failure.kind) {
    case 'run-ended':
      return `the run ended with ${failure.conclusion}`;
    case 'no-run':
      return `no run of ${failure.workflow} appeared within ${failure.minutes} minutes`;
    case 'refused':
      return renderDispatchRefusal(failure.refusal);
  }
}

function lateText(late: Lateness): string {
  const { minutes } = late;
  switch (late.state) {
    case 'dispatched':
      return `The tagging run for train ${late.train} has been going for ${minutes} minutes${late.runUrl ? ` (<${late.runUrl}|run>)` : ''}. I'll keep following it.`;
    case 'image_dispatched':
      return `The image build of ${code(late.tag)} has been going for ${minutes} minutes${late.imageRunUrl ? ` (<${late.imageRunUrl}|run>)` : ''}.`;
    case 'run_succeeded':
      return `The tagging run for train ${late.train} succeeded ${minutes} minutes ago, but I can't see the tag ${code(late.tag)} yet. I'll keep looking.`;
    case 'tagged':
      return `CI on ${code(late.tag)} has not finished after ${minutes} minutes${late.ciUrl ? ` (<${late.ciUrl}|CI>)` : ''}. I'll keep watching and post the result here.`;
    default:
      return (
        `Train ${late.train} is not on stage yet, ${minutes} minutes after ${late.state === 'image_built' ? 'its images were built' : 'CI passed'}` +
        `${late.stageVersion ? ` (stage reports ${code(late.stageVersion)})` : ''}. I'll keep checking.`
      );
  }
}

/** Display names by Slack user id: the people a notice names (an id missing from it is mentioned). */
export type PeopleNames = ReadonlyMap<string, string>;

const NOBODY: PeopleNames = new Map();

/** `n`'s actor named from `names` when the notice does not carry the name itself. */
function withName<T extends { actor: string; actorName?: string }>(n: T, names: PeopleNames): T {
  const actorName = n.actorName ?? names.get(n.actor);
  return actorName === undefined ? n : { ...n, actorName };
}

/**
 * A notice for the train's thread, as the outbox keeps it (its key makes it unique per release). People who
 * clicked are named, not pinged, from the notice's `actorName` or `names`.
 */
export function renderNotice(settings: Settings, n: TagNotice, names: PeopleNames = NOBODY): NoticeDraft {
  switch (n.kind) {
    case 'dispatched':
      return dispatchedNotice({ settings, ...withName(n, names) });
    case 'run-failed':
      return runFailedNotice(n);
    case 'run-missing':
      return runMissingNotice({ settings, ...n });
    case 'tagged':
      return taggedNotice({ settings, ...n });
    case 'ci-passed':
      return ciPassedNotice({ settings, ...n });
    case 'ci-failed':
      return ciFailedNotice({ settings, ...n });
    case 'image-dispatched':
      return imageDispatchedNotice({ settings, ...n });
    case 'image-built':
      return imageBuiltNotice(n);
    case 'image-failed':
      return imageFailedNotice(n);
    case 'on-stage':
      return onStageNotice(n);
    case 'late':
      return overdueNotice({ key: `late:${n.lateness.state}#${n.attempt}`, text: lateText(n.lateness) });
    case 'github-down':
      return githubDownNotice(n);
    case 'gave-up':
      return overdueNotice({
        key: `${n.timeoutState}#${n.attempt}`,
        text: `Stopped watching after ${n.hours} hours: ${describeState(n.state, escapeMrkdwn(n.tag))}.`,
      });
    case 'issue-filed':
      return issueFiledNotice(withName(n, names));
    case 'flaky':
      return flakyNotice(withName(n, names));
  }
}

/** Why a button about a CI failure does nothing, for the person who clicked. */
export function renderCiFailureRefusal(refusal: CiFailureRefusal): string {
  switch (refusal.kind) {
    case 'unknown-release':
      return 'I have no record of the tag this button is about; it may be from an old message. `/release status` shows the current one.';
    case 'out-of-date':
      return `That button is out of date: ${describeState(refusal.state, escapeMrkdwn(refusal.tag))}.`;
    case 'issue-filed':
      return `${refusal.by ? mentionUser(refusal.by) : 'Someone'} already filed ${link(refusal.url, `issue #${refusal.number}`)} about this failure.`;
    case 'issue-being-filed':
      return `${mentionUser(refusal.by)} is filing an issue about this failure right now. If none appears in the train's thread within a few minutes, file it on GitHub by hand.`;
    case 'filing-raced':
      return 'Someone else acted on this failure at the same moment; look at the thread.';
    case 'flaky-recorded':
      return `${refusal.by ? mentionUser(refusal.by) : 'Someone'} already recorded this failure as known flaky.`;
  }
}

/** The reply once the issue is filed. */
export function renderIssueFiled(options: { number: number; url: string; title: string }): string {
  return `:memo: Filed ${link(options.url, `issue #${options.number}`)}: ${escapeMrkdwn(options.title)}`;
}

/** The reply once the failure is recorded as known flaky. */
export function renderFlakyRecorded(tag: string): string {
  return `:repeat: Recorded the CI failure on ${code(tag)} as known flaky.`;
}

/** The issue about a CI failure: title and Markdown body (GitHub's, not Slack's). */
export function renderIssue(options: {
  settings: Settings;
  train: number;
  tag: string;
  sha: string | null;
  ciUrl: string | null;
  jobs: FailingJob[];
}): { title: string; body: string } {
  const { settings } = options;
  const jobs = options.jobs.map((job) => `- ${job.url ? `[${job.name}](${job.url})` : job.name}`).join('\n');
  const title = `CI failed on ${options.tag} (train ${options.train}): ${options.jobs.map((j) => j.name).join(', ')}`.slice(0, 250);
  const body = [
    `CI (\`${settings.ciCheckName}\`) failed on the release tag \`${options.tag}\` of train ${options.train}.`,
    '',
    `- Tag: [${options.tag}](${repoUrl(settings)}/releases/tag/${options.tag})${options.sha ? ` at ${options.sha}` : ''}`,
    ...(options.ciUrl ? [`- CI: ${options.ciUrl}`] : []),
    '',
    'Failing jobs:',
    '',
    jobs,
    '',
    '_Filed from Slack by release-conductor for the release owner._',
  ].join('\n');
  return { title, body };
}

/** A preview of the issue, with File it / Cancel, to the person who asked. */
export function renderIssueConfirmation(options: { title: string; jobs: FailingJob[]; value: string }): { text: string; blocks: Block[] } {
  // The fallback text is mrkdwn too: the title (made of job names) is escaped there as well.
  return fitMessage({
    text: `File an issue "${escapeMrkdwn(options.title)}"?`,
    parts: [
      list(`*File this issue on GitHub?*\n*${escapeMrkdwn(options.title)}*`, options.jobs.map(jobLine), {
        maxBlocks: 2,
        maxItems: LISTED_JOBS,
      }),
      actions('tag-issue', [
        button({ actionId: TAG_FILE_ISSUE_CONFIRM_ACTION, text: 'File it', value: options.value, style: 'primary' }),
        button({ actionId: TAG_CANCEL_ACTION, text: 'Cancel' }),
      ]),
    ],
  });
}

/** GitHub failed the watcher's looks when a deadline came: nothing is concluded; said once per outage (its start is in the key). */
function githubDownNotice(n: Extract<TagNotice, { kind: 'github-down' }>): NoticeDraft {
  return notice(
    `github-down:${n.state}#${n.attempt}#${n.since.getTime()}`,
    `:satellite_antenna: GitHub is not answering (${escapeMrkdwn(n.reason)}); still watching \`${escapeMrkdwn(n.tag)}\`. ` +
      `I could not look for ${n.minutes} minutes, so nothing is concluded from that time: I will report what happened once GitHub answers again.`,
  );
}
