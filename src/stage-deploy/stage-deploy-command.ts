/**
 * `/release stage-deploy <sha|PR…> [--tag name]` (issue 16): any engineer. Off the latest train branch (never
 * main), cherry-picks the commits, pushes a hyphenated tag that can never be read as a release, and follows the
 * `deploy-packages` check on it (stage-deploy-jobs.ts), which ends with the ready-to-copy request for SRE. The
 * train's owner is told by DM.
 */
import type { CommandContext, Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { defaultStageTag, runStageDeploy, servicesOf, stageTagProblem } from '../git';
import { parsePatchItems } from '../patches/request-input';
import { findOwnerOfTrain } from '../rotation/owner';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { findLatestTrain } from '../train/versions';
import { recordStageDeploy } from './stage-deploy-store';

const USAGE = '`/release stage-deploy &lt;sha | PR link&gt; … [--tag stage-you-something]`';

/** The words of the command: the commits, and `--tag name` (or `--tag=name`). */
export function parseStageDeployArgs(args: readonly string[]): { words: string[]; tag: string | null } {
  const words: string[] = [];
  let tag: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--tag') {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new InvalidInputError(`\`--tag\` needs a name after it.\nUsage: ${USAGE}`);
      tag = next;
      i += 1;
    } else if (arg.startsWith('--tag=')) tag = arg.slice('--tag='.length);
    else if (arg.startsWith('--')) throw new InvalidInputError(`I don't know the option \`${escapeMrkdwn(arg)}\`.\nUsage: ${USAGE}`);
    else words.push(arg);
  }
  return { words, tag };
}

/** The request for SRE, ready to copy. */
export function sreRequest(input: { tag: string; services: string[]; branch: string }): string {
  const services = input.services.length > 0 ? input.services.join(', ') : '(no service under packages/; say which)';
  return `Please deploy tag ${input.tag} to stage for: ${services}. It is a temporary deploy off ${input.branch}; the next train or dot-release tag replaces it.`;
}

export function createStageDeploySubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;

  async function resolveCommits(words: string[]): Promise<string[]> {
    const { items, problems } = parsePatchItems(words.join(' '), settings.repository);
    if (problems.length > 0)
      throw new InvalidInputError(`${problems.map((p) => escapeMrkdwn(p)).join('; ')}. Nothing was pushed.\nUsage: ${USAGE}`);
    const commits: string[] = [];
    for (const item of items) {
      if (item.kind !== 'pull-request') {
        commits.push(item.ref);
        continue;
      }
      const pr = await deps.github.getPullRequest(item.number);
      if (!pr) throw new InvalidInputError(`${escapeMrkdwn(settings.repository)} has no pull request #${item.number}. Nothing was pushed.`);
      if (!pr.merged || !pr.mergeCommitSha) {
        throw new InvalidInputError(
          `Pull request #${item.number} is not merged yet: give its head commit's SHA instead. Nothing was pushed.`,
        );
      }
      commits.push(pr.mergeCommitSha);
    }
    return commits;
  }

  async function run(context: CommandContext): Promise<string> {
    const { words, tag: asked } = parseStageDeployArgs(context.args);
    if (words.length === 0)
      throw new InvalidInputError(`Give the commits (SHAs or pull request links) to deploy to stage.\nUsage: ${USAGE}`);
    const user = await deps.slackDirectory.findUser(context.userId);
    const tag = asked ?? defaultStageTag(user?.displayName ?? context.userId, context.now);
    const problem = stageTagProblem(tag, settings.tagFormat);
    if (problem) throw new InvalidInputError(`${problem} Nothing was pushed.`);
    const commits = await resolveCommits(words);
    const latestRelease = findLatestTrain(await deps.github.listAllTagNames(), settings.tagFormat);
    const repository = deps.git.open(settings.gitRemoteUrl ?? `https://github.com/${settings.repository}.git`);
    const report = await runStageDeploy({ repository, commits, tag, tagFormat: settings.tagFormat });
    if (report.conflict || !report.tag || !report.commit) {
      const files = report.conflict?.files.map((f) => `\`${escapeMrkdwn(f)}\``).join(', ') ?? '';
      return `:warning: \`${report.conflict?.commit.slice(0, 12) ?? '?'}\` does not apply cleanly on \`${report.branch}\` (conflict in ${files}); I pushed nothing. Deploy it by hand, or pick the commits it depends on too.`;
    }
    const { services } = servicesOf(report.changedPaths);
    await recordStageDeploy(deps.db.prisma, {
      tag: report.tag,
      train: report.train,
      commit: report.commit,
      requestedBy: context.userId,
      services,
      latestReleaseTag: latestRelease?.tag ?? null,
      picked: report.picked,
      now: context.now,
    });
    const owner = await findOwnerOfTrain(deps, deps.calendar.trainInProgress(context.now).train);
    if (owner && owner !== context.userId) {
      await deps.messenger.postOnce({
        key: `stage-deploy:owner:${report.tag}`,
        to: { user: owner },
        message: {
          text: `:construction: ${mentionUser(context.userId)} pushed the temporary stage tag \`${escapeMrkdwn(report.tag)}\` off \`${report.branch}\` (${services.length > 0 ? services.map(escapeMrkdwn).join(', ') : 'no service under packages/'}). The next train or dot-release tag on stage replaces it.`,
        },
        now: context.now,
      });
    }
    return (
      `:construction: Pushed the tag \`${escapeMrkdwn(report.tag)}\` off \`${report.branch}\` with ${report.picked.length} pick(s). ` +
      `I watch \`${escapeMrkdwn(settings.stageDeployCheckName)}\` on it and send you the request for SRE when the images are built.\n` +
      `Services touched: ${services.length > 0 ? services.map(escapeMrkdwn).join(', ') : 'none under packages/'}.\n` +
      ':warning: The next train or dot-release tag deployed to stage replaces it; ping QA if it might break relying parties.'
    );
  }

  return {
    name: 'stage-deploy',
    usage: 'stage-deploy <sha | PR link> … [--tag name]',
    summary: 'a temporary stage deploy off the latest train: pick, tag, build, ask SRE',
    maxArgs: 30,
    mutates: () => true,
    async run(context) {
      await context.respond({ response_type: 'ephemeral', text: await run(context) });
    },
  };
}
