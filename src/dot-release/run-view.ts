/**
 * The words and buttons of a dot release's run: the confirmation, where the
 * run is (for the announcement and replies), the conflict hand-off with the
 * exact commands, a failure, and the requesters' outcome. Pure: data in,
 * Slack messages out; commit titles (from GitHub) are escaped.
 */
import { actions, button, context, section, type Block } from '../slack/blocks';
import { fitMessage, list, type Part } from '../slack/budget';
import { escapeMrkdwn, link, mentionUser } from '../slack/mrkdwn';
import type { DotReleasePlan } from '../patches/patch-store';
import type { DotReleaseRun } from './dot-release-store';
import { remainingPicks } from './dot-release-store';
import { describeRunState } from './states';

export const DOT_RELEASE_CONFIRM_ACTION = 'dot_release_confirm';
export const DOT_RELEASE_CANCEL_ACTION = 'dot_release_cancel';
export const DOT_RELEASE_RESUME_ACTION = 'dot_release_resume';
export const DOT_RELEASE_ABANDON_ACTION = 'dot_release_abandon';

const short = (sha: string) => sha.slice(0, 10);

function commitLink(repository: string, sha: string): string {
  return link(`https://github.com/${repository}/commit/${sha}`, short(sha));
}

/** The confirmation of `/release patch run` and of *Run dot release*: what will happen, and the commits in pick order. */
export function renderRunConfirmation(
  plan: DotReleasePlan,
  options: { repository: string; mainBranch: string },
): {
  text: string;
  blocks: Block[];
} {
  const lines = plan.commits.map((c, i) => {
    const who =
      c.requestId !== null && c.requestedBy !== null ? ` (request #${c.requestId} by ${mentionUser(c.requestedBy)})` : ' (forward port)';
    return `${i + 1}. ${commitLink(options.repository, c.sha)} ${escapeMrkdwn(c.title)}${who}`;
  });
  const branch = `\`${escapeMrkdwn(plan.branch)}\``;
  const parts: Part[] = [
    section(
      `:package: *Run dot release ${plan.train}.${plan.patch}* (\`${escapeMrkdwn(plan.tag)}\`) onto ${branch}?\n` +
        `I will fetch; check that each commit is on \`${escapeMrkdwn(options.mainBranch)}\` and not already on ${branch} (those are skipped, and I say so); ` +
        `cherry-pick them one at a time with \`-x\`, in this order, stopping at the first conflict (then nothing is pushed and you get the commands to finish by hand); ` +
        `push ${branch} fast-forward only; push the annotated tag \`${escapeMrkdwn(plan.tag)}\` by itself; then follow CI and stage in the train's thread. ` +
        'Newer cut trains that miss these commits get a forward port offered afterwards.',
    ),
    list(`*Commits* (${plan.commits.length}), in pick order:`, lines.length > 0 ? lines : ['_none_'], { maxBlocks: 6 }),
    actions(`dot_release_confirm:${plan.id}`, [
      button({ actionId: DOT_RELEASE_CONFIRM_ACTION, text: 'Run dot release', value: `${plan.id}:${plan.version}`, style: 'primary' }),
      button({ actionId: DOT_RELEASE_CANCEL_ACTION, text: 'Cancel', value: String(plan.id) }),
    ]),
  ];
  return fitMessage({
    text: `Run dot release ${plan.train}.${plan.patch} (${escapeMrkdwn(plan.tag)})? ${plan.commits.length} commit(s)`,
    parts,
  });
}

/** What each commit came to so far, one line each. */
function commitLines(run: DotReleaseRun, repository: string): string[] {
  const picked = new Map(run.picks.map((p) => [p.sha, p]));
  return run.commits.map((c) => {
    const head = `${commitLink(repository, c.sha)} ${escapeMrkdwn(c.title)}`;
    const classified = run.classified?.find((k) => k.sha === c.sha);
    if (classified?.status === 'already-on-train') {
      const via = classified.matchedBy
        ? ` (${escapeMrkdwn(classified.matchedBy)}${classified.trainCommit ? ` \`${short(classified.trainCommit)}\`` : ''})`
        : '';
      return `:fast_forward: ${head}: already on \`${escapeMrkdwn(run.branch)}\`${via}, skipped`;
    }
    const pick = picked.get(c.sha);
    if (pick) return `:white_check_mark: ${head}: picked as \`${short(pick.commit)}\`${pick.byHand ? ' (by hand)' : ''}`;
    if (run.conflict?.sha === c.sha) return `:x: ${head}: conflict`;
    return `:hourglass_flowing_sand: ${head}: to pick`;
  });
}

/**
 * Where the run is, in one paragraph (the announcement shows it under the commits; replies lead with it). `starter`
 * false leaves out who started it: a new post in the thread that also goes to them by DM must not ping them again.
 */
export function describeRun(run: DotReleaseRun, repository: string, options: { starter?: boolean } = {}): string {
  const toPick = (run.classified ?? []).filter((c) => c.status === 'to-pick').length;
  const state = describeRunState({ state: run.status, picked: run.picks.length, toPick, tag: run.tag });
  const by = run.runBy && options.starter !== false ? ` (started by ${mentionUser(run.runBy)})` : '';
  const lines = [`*Dot release ${run.train}.${run.patch}*: ${state}${by}.`];
  if (run.classified !== null) lines.push(...commitLines(run, repository));
  if (run.status === 'failed' && run.lastError) lines.push(`:warning: ${run.lastError}`);
  return lines.join('\n');
}

export function resumeButtons(run: DotReleaseRun): Block {
  return actions(`dot_release_resume:${run.id}`, [
    button({ actionId: DOT_RELEASE_RESUME_ACTION, text: 'Resume', value: String(run.id), style: 'primary' }),
    button({ actionId: DOT_RELEASE_ABANDON_ACTION, text: 'Abandon', value: String(run.id), style: 'danger' }),
  ]);
}

/** The conflict hand-off: the commit, its files, the clean picks, the exact commands, Resume and Abandon. */
export function renderConflictHandOff(
  run: DotReleaseRun,
  options: { repository: string; remote: string },
): { text: string; blocks: Block[] } {
  const conflict = run.conflict ?? { sha: '', title: '', files: [] };
  const workBranch = run.workBranch ?? `dot/${run.branch}.${run.patch}`;
  const later = remainingPicks(run).filter((sha) => sha !== conflict.sha);
  const clean = run.picks.map((p) => {
    const title = run.commits.find((c) => c.sha === p.sha)?.title ?? '';
    return `• ${commitLink(options.repository, p.sha)} ${escapeMrkdwn(title)} → \`${short(p.commit)}\``;
  });
  const commands = [
    'git fetch origin',
    `git switch -C ${workBranch} origin/${workBranch}`,
    `git cherry-pick -x ${conflict.sha}`,
    '# resolve the conflicts, then:',
    'git add -A && git cherry-pick --continue',
    `git push origin ${workBranch}`,
  ];
  const parts: Part[] = [
    section(
      `:warning: *Dot release ${run.train}.${run.patch}* (\`${escapeMrkdwn(run.tag)}\`) stopped at a conflict, and nothing was pushed to \`${escapeMrkdwn(run.branch)}\`.\n` +
        `*Conflicted commit:* ${commitLink(options.repository, conflict.sha)} ${escapeMrkdwn(conflict.title)}`,
    ),
    list('*Files in conflict:*', conflict.files.length > 0 ? conflict.files.map((f) => `• \`${escapeMrkdwn(f)}\``) : ['_git named none_'], {
      maxBlocks: 2,
    }),
    list(
      `*Picked cleanly so far* (on \`${escapeMrkdwn(workBranch)}\`):`,
      clean.length > 0 ? clean : ['_nothing yet: the branch is the train as it was_'],
      { maxBlocks: 2 },
    ),
    section(
      `*To finish by hand*, in a clone of ${escapeMrkdwn(options.remote)}:\n\`\`\`${escapeMrkdwn(commands.join('\n'))}\`\`\`\n` +
        `Then press *Resume*: I check \`${escapeMrkdwn(workBranch)}\` and carry on${later.length > 0 ? ` with the ${later.length} commit(s) left` : ''}, then push \`${escapeMrkdwn(run.branch)}\` and tag. *Abandon* closes this dot release and tells the requesters.`,
    ),
    resumeButtons(run),
  ];
  return fitMessage({ text: `Dot release ${run.train}.${run.patch} stopped at a conflict in ${short(conflict.sha)}`, parts });
}

/**
 * A failure that stopped the run: what, and Resume / Abandon. Posted in the train's thread and sent to the owner and
 * the one who started it by DM: one notification each, so it mentions neither (the announcement says who started it).
 */
export function renderFailure(run: DotReleaseRun, repository: string): { text: string; blocks: Block[] } {
  return fitMessage({
    text: `Dot release ${run.train}.${run.patch} stopped: ${run.lastError ?? 'a failure'}`,
    parts: [
      section(`:warning: ${describeRun(run, repository, { starter: false })}`),
      context(
        `Nothing half-pushed: the train branch and the tag move only as whole steps. *Resume* starts again from the step that failed.`,
      ),
      resumeButtons(run),
    ],
  });
}

/** What a requester hears when the dot release is out, or abandoned. */
export function renderRequesterOutcome(options: {
  run: DotReleaseRun;
  requestIds: number[];
  outcome: 'released' | 'abandoned';
  by?: string;
}): string {
  const { run } = options;
  const requests = options.requestIds.map((id) => `#${id}`).join(', ');
  const yours = `Your patch request${options.requestIds.length === 1 ? '' : 's'} ${requests} for train ${run.train}`;
  return options.outcome === 'released'
    ? `:rocket: ${yours}: dot release *${run.train}.${run.patch}* is tagged \`${escapeMrkdwn(run.tag)}\`. CI and stage are followed in the train's thread in the team channel.`
    : `:wastebasket: ${yours}: dot release *${run.train}.${run.patch}* (\`${escapeMrkdwn(run.tag)}\`) was abandoned${options.by ? ` by ${mentionUser(options.by)}` : ''}, so your fix did not ship in it. Ask the train's owner what happens next.`;
}
