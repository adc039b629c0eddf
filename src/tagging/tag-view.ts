/** The tagging feature's messages, as Block Kit: the confirmation, and what is posted in the train's thread. */
import type { Settings } from '../config';
import type { PullRequestSummary } from '../github/client';
import { actions, button, context, header, section, type Block } from '../slack/blocks';
import { escapeMrkdwn, link, mentionUser } from '../slack/mrkdwn';
import type { CutPlan } from './plan-cut';
import type { NoticeDraft } from './release-store';

export const TAG_CONFIRM_ACTION = 'tag_confirm';
export const TAG_CANCEL_ACTION = 'tag_cancel';
export const TAG_RETRY_ACTION = 'tag_retry';
export const TAG_FILE_ISSUE_ACTION = 'tag_file_issue';
export const TAG_FILE_ISSUE_CONFIRM_ACTION = 'tag_file_issue_confirm';
export const TAG_FLAKY_ACTION = 'tag_known_flaky';

/** How many pull requests are listed by number; the rest are counted. */
const LISTED = 12;

export interface FailingJob {
  name: string;
  url: string | null;
}

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

export function encodeValue(value: ConfirmValue | ReleaseValue): string {
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

function rollingLines(pullRequests: PullRequestSummary[]): string {
  const listed = pullRequests.slice(0, LISTED).map((pr) => `• ${link(pr.url, `#${pr.number} ${pr.title}`)} by ${escapeMrkdwn(pr.authorLogin ?? 'unknown')}`);
  const more = pullRequests.length - listed.length;
  return listed.join('\n') + (more > 0 ? `\n…and ${more} more` : '');
}

/** The ephemeral confirmation of `/release tag`. Without blockers it has Confirm and Cancel. */
export function renderCutConfirmation(plan: CutPlan, settings: Settings, threadChannel: string): { text: string; blocks: Block[] } {
  const commitUrl = `${repoUrl(settings)}/commit/${plan.source.sha}`;
  const blocks: Block[] = [
    header(`Cut train ${plan.train}?`),
    section(
      `*What happens:* I dispatch ${code(settings.tagWorkflow)} on ${code(settings.mainBranch)}. It pushes the branch ${code(plan.branch)} ` +
        `and the tag ${code(plan.tag)} (train ${plan.train}: it counts from ${code(plan.basedOnTag)}). ` +
        `Then I follow the run, CI (${code(settings.ciCheckName)}) and stage, and report in train ${plan.train}'s thread in ${escapeMrkdwn(threadChannel)}.`,
    ),
    section(
      `*Cut from:* ${code(settings.mainBranch)} at <${commitUrl}|\`${plan.source.sha.slice(0, 7)}\`>` +
        (plan.source.title ? ` ${escapeMrkdwn(plan.source.title)}` : ''),
    ),
  ];
  if (plan.madeIt && plan.previousTag) {
    const prs = plan.madeIt.pullRequests.length > 0 ? `: ${pullRequestLinks(settings, plan.madeIt.pullRequests)}` : '';
    blocks.push(section(`*Made it:* ${plan.madeIt.totalCommits} commit${plan.madeIt.totalCommits === 1 ? '' : 's'} since ${code(plan.previousTag)}${prs}`));
  }
  if (plan.rolling) {
    blocks.push(
      section(
        plan.rolling.length === 0
          ? `*Rolls to train ${plan.train + 1}:* no open pull requests into ${code(settings.mainBranch)}.`
          : `*Rolls to train ${plan.train + 1}:* ${plan.rolling.length} open pull request${plan.rolling.length === 1 ? '' : 's'} into ${code(settings.mainBranch)}\n${rollingLines(plan.rolling)}`,
      ),
    );
  }
  for (const warning of plan.warnings) blocks.push(section(`:warning: ${warning}`));
  for (const blocker of plan.blockers) blocks.push(section(`:no_entry: ${blocker}`));
  if (plan.blockers.length === 0) {
    blocks.push(
      actions(`tag:${plan.train}`, [
        button({ actionId: TAG_CONFIRM_ACTION, text: `Cut train ${plan.train}`, value: encodeValue({ train: plan.train, sha: plan.source.sha }), style: 'primary' }),
        button({ actionId: TAG_CANCEL_ACTION, text: 'Cancel' }),
      ]),
    );
  } else {
    blocks.push(context(`Nothing can be dispatched for train ${plan.train} until this is sorted out.`), actions(`tag:${plan.train}`, [button({ actionId: TAG_CANCEL_ACTION, text: 'Close' })]));
  }
  const text = plan.blockers.length === 0 ? `Cut train ${plan.train} from ${settings.mainBranch} at ${plan.source.sha.slice(0, 7)}?` : `Train ${plan.train} cannot be cut now.`;
  return { text, blocks };
}

// --- thread notices -----------------------------------------------------------

function notice(key: string, mrkdwn: string, extra: Block[] = []): NoticeDraft {
  return { key, text: mrkdwn.replace(/[*`]/g, ''), blocks: [section(mrkdwn), ...extra] };
}

export function dispatchedNotice(options: { settings: Settings; train: number; tag: string; sha: string | null; actor: string; attempt: number; uncertain: boolean }): NoticeDraft {
  const { settings } = options;
  const from = options.sha ? ` at <${repoUrl(settings)}/commit/${options.sha}|\`${options.sha.slice(0, 7)}\`>` : '';
  const again = options.attempt > 1 ? ` (attempt ${options.attempt})` : '';
  const uncertain = options.uncertain ? ' GitHub did not confirm the dispatch clearly; I am checking whether a run started, and will not dispatch again by myself.' : '';
  return notice(
    `dispatched#${options.attempt}`,
    `:label: ${mentionUser(options.actor)} is cutting *train ${options.train}*${again}: I dispatched ${code(settings.tagWorkflow)} on ${code(settings.mainBranch)}${from}. ` +
      `I'll follow the run, then CI on ${code(options.tag)}, here.${uncertain}`,
  );
}

export function runFailedNotice(options: { train: number; attempt: number; releaseId: number; runUrl: string | null; conclusion: string }): NoticeDraft {
  const logs = options.runUrl ? link(options.runUrl, 'the run and its logs') : 'the run';
  return notice(
    `run_failed#${options.attempt}`,
    `:x: The tagging run for train ${options.train} ended with *${escapeMrkdwn(options.conclusion)}*: see ${logs}. ` +
      'Check whether it pushed anything (a branch left behind blocks a retry), then retry.',
    [actions(`tag-retry:${options.releaseId}`, [button({ actionId: TAG_RETRY_ACTION, text: 'Retry the cut', value: encodeValue({ id: options.releaseId, attempt: options.attempt }) })])],
  );
}

export function runMissingNotice(options: { settings: Settings; train: number; attempt: number; releaseId: number; minutes: number }): NoticeDraft {
  const runs = `${repoUrl(options.settings)}/actions/workflows/${options.settings.tagWorkflow}`;
  return notice(
    `run_missing#${options.attempt}`,
    `:warning: No run of ${code(options.settings.tagWorkflow)} appeared within ${options.minutes} minutes of the dispatch for train ${options.train}. ` +
      `Look at <${runs}|the workflow's runs>; a retry checks again for a run before dispatching.`,
    [actions(`tag-retry:${options.releaseId}`, [button({ actionId: TAG_RETRY_ACTION, text: 'Retry the cut', value: encodeValue({ id: options.releaseId, attempt: options.attempt }) })])],
  );
}

export function taggedNotice(options: { settings: Settings; tag: string; branch: string; sha: string; attempt: number }): NoticeDraft {
  return notice(
    `tagged#${options.attempt}`,
    `:label: Tagged ${code(options.tag)} (branch ${code(options.branch)}) at <${repoUrl(options.settings)}/commit/${options.sha}|\`${options.sha.slice(0, 7)}\`>. ` +
      `Watching CI (${code(options.settings.ciCheckName)}).`,
  );
}

export function ciPassedNotice(options: { settings: Settings; tag: string; url: string | null; attempt: number }): NoticeDraft {
  const next = options.settings.dispatchImageWorkflow ? `Building images with ${code(options.settings.imageWorkflow)}.` : 'Waiting for it to reach stage.';
  return notice(`ci_passed#${options.attempt}`, `:white_check_mark: CI passed on ${code(options.tag)}${options.url ? ` (${link(options.url, 'CI')})` : ''}. ${next}`);
}

export function ciFailedNotice(options: { settings: Settings; tag: string; url: string | null; attempt: number; releaseId: number; jobs: FailingJob[] }): NoticeDraft {
  const jobs = options.jobs.map((job) => `• ${job.url ? link(job.url, job.name) : code(job.name)}`).join('\n');
  const value = encodeValue({ id: options.releaseId, attempt: options.attempt });
  return notice(
    `ci_failed#${options.attempt}`,
    `:x: CI failed on ${code(options.tag)}${options.url ? ` (${link(options.url, 'CI')})` : ''}. Failing jobs:\n${jobs}\n` +
      'A new failure deserves an issue; a known flaky one can be recorded as such.',
    [
      actions(`tag-ci:${options.releaseId}`, [
        button({ actionId: TAG_FILE_ISSUE_ACTION, text: 'File an issue', value }),
        button({ actionId: TAG_FLAKY_ACTION, text: 'Known flaky', value }),
      ]),
    ],
  );
}

export function imageDispatchedNotice(options: { settings: Settings; tag: string; attempt: number; uncertain: boolean }): NoticeDraft {
  return notice(
    `image_dispatched#${options.attempt}`,
    `:whale: Dispatched ${code(options.settings.imageWorkflow)} with \`git_tag=${escapeMrkdwn(options.tag)}\`.` +
      (options.uncertain ? ' GitHub did not confirm the dispatch clearly; I am checking whether a run started.' : ''),
  );
}

export function imageDoneNotice(options: { settings: Settings; tag: string; attempt: number; ok: boolean; url: string | null; detail: string }): NoticeDraft {
  const run = options.url ? ` (${link(options.url, 'run')})` : '';
  return options.ok
    ? notice(`image_built#${options.attempt}`, `:whale: Images of ${code(options.tag)} built${run}. Waiting for stage.`)
    : notice(`image_failed#${options.attempt}`, `:x: Building the images of ${code(options.tag)} failed: ${escapeMrkdwn(options.detail)}${run}.`);
}

export function onStageNotice(options: { train: number; tag: string; version: string; attempt: number }): NoticeDraft {
  return notice(`on_stage#${options.attempt}`, `:rocket: *Train ${options.train} is on stage* (stage reports \`${escapeMrkdwn(options.version)}\` for ${code(options.tag)}).`);
}

/** Lateness, reported once per state. */
export function overdueNotice(options: { key: string; text: string }): NoticeDraft {
  return notice(options.key, `:hourglass: ${options.text}`);
}

export function issueFiledNotice(options: { actor: string; number: number; url: string; attempt: number }): NoticeDraft {
  return notice(`issue#${options.attempt}`, `:memo: ${mentionUser(options.actor)} filed ${link(options.url, `issue #${options.number}`)} about the CI failure.`);
}

export function flakyNotice(options: { actor: string; attempt: number }): NoticeDraft {
  return notice(`flaky#${options.attempt}`, `:repeat: ${mentionUser(options.actor)} recorded the CI failure as *known flaky*.`);
}

/** The issue about a CI failure: title and Markdown body (GitHub's, not Slack's). */
export function renderIssue(options: { settings: Settings; train: number; tag: string; sha: string | null; ciUrl: string | null; jobs: FailingJob[] }): { title: string; body: string } {
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
  return {
    text: `File an issue "${options.title}"?`,
    blocks: [
      section(`*File this issue on GitHub?*\n*${escapeMrkdwn(options.title)}*\n${options.jobs.map((job) => `• ${job.url ? link(job.url, job.name) : code(job.name)}`).join('\n')}`),
      actions('tag-issue', [
        button({ actionId: TAG_FILE_ISSUE_CONFIRM_ACTION, text: 'File it', value: options.value, style: 'primary' }),
        button({ actionId: TAG_CANCEL_ACTION, text: 'Cancel' }),
      ]),
    ],
  };
}
