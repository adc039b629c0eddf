/**
 * `/release where <PR link | #number | sha>` (issue 14 item 6): the trains and release tags that contain a change,
 * directly or as a cherry-pick (patch-id or `cherry picked from` trailer), and which of them stage and production
 * run now.
 */
import type { AppDeps } from '../deps';
import { readDeployedVersions, type DeployedVersion } from '../environments/deployed-versions';
import { InvalidInputError } from '../errors';
import { parsePatchItems } from '../patches/request-input';
import { section, type Block } from '../slack/blocks';
import { fitMessage, list } from '../slack/budget';
import { escapeMrkdwn, link } from '../slack/mrkdwn';
import { normaliseVersion } from '../train/versions';
import { trainRepository } from './git-port';

const USAGE = 'Usage: `/release where https://github.com/owner/repo/pull/123`, `/release where #123` or `/release where 1a2b3c4d`.';

const HOW: Record<string, string> = {
  'same-commit': 'the commit itself',
  'patch-id': 'cherry-picked (same patch-id)',
  trailer: 'cherry-picked (trailer)',
};

function runs(version: DeployedVersion, tag: string): boolean {
  return version.ok && version.version === normaliseVersion(tag);
}

export async function whereReport(options: { deps: AppDeps; input: string }): Promise<{ text: string; blocks: Block[] }> {
  const { deps } = options;
  const { settings } = deps.config;
  const typed = options.input.trim();
  if (typed === '') throw new InvalidInputError(`Which change? Give a pull request link, \`#number\` or a commit SHA.\n${USAGE}`);
  const number = /^#(\d{1,10})$/.exec(typed)?.[1];
  const parsed = number ? null : parsePatchItems(typed, settings.repository);
  const item = parsed?.items[0];
  if (!number && (!item || (parsed?.problems.length ?? 0) > 0)) {
    throw new InvalidInputError(
      `${escapeMrkdwn(parsed?.problems[0] ?? `\`${typed.slice(0, 60)}\` is not a pull request or a commit`)}.\n${USAGE}`,
    );
  }
  let sha: string;
  let name: string;
  const prNumber = number ? Number(number) : item?.kind === 'pull-request' ? item.number : null;
  if (prNumber !== null) {
    const pr = await deps.github.getPullRequest(prNumber);
    if (!pr) throw new InvalidInputError(`#${prNumber} is not a pull request of ${escapeMrkdwn(settings.repository)}.\n${USAGE}`);
    if (!pr.merged || !pr.mergeCommitSha) {
      throw new InvalidInputError(
        `#${prNumber} is not merged${pr.state === 'closed' ? ' (it was closed)' : ' yet'}, so no train contains it.`,
      );
    }
    sha = pr.mergeCommitSha;
    name = `${link(`https://github.com/${settings.repository}/pull/${prNumber}`, `#${prNumber}`)} ${escapeMrkdwn(pr.title)}`;
  } else {
    sha = item && item.kind !== 'pull-request' ? item.ref : typed;
    name = '';
  }
  const [where, versions] = await Promise.all([
    trainRepository(deps).whereIs(sha),
    readDeployedVersions({
      stageVersionUrl: settings.stageVersionUrl,
      productionVersionUrl: settings.productionVersionUrl,
      tagFormat: settings.tagFormat,
      timeoutMs: 3000,
    }),
  ]);
  const commit = link(`https://github.com/${settings.repository}/commit/${where.sha}`, where.sha.slice(0, 10));
  const title = name || escapeMrkdwn(where.subject);
  const lines = where.trains.map((t) => {
    const tags = t.tags.map((tag) => {
      const env = [runs(versions.stage, tag) ? 'on stage' : '', runs(versions.production, tag) ? 'in production' : ''].filter(Boolean);
      return `\`${escapeMrkdwn(tag)}\`${env.length > 0 ? ` (*${env.join(', ')} now*)` : ''}`;
    });
    const how = HOW[t.matchedBy] ?? t.matchedBy;
    const via = t.matchedBy === 'same-commit' ? '' : ` as \`${t.commit.slice(0, 10)}\``;
    return `• *Train ${t.train}* (\`${escapeMrkdwn(t.branch)}\`): ${how}${via}; ${tags.length > 0 ? `tags ${tags.join(', ')}` : 'in no release tag yet (picked after the last one)'}`;
  });
  const envNotes = [versions.stage, versions.production]
    .map((v) => (v.ok ? `${v.environment} runs \`${escapeMrkdwn(v.version)}\`` : `${v.environment}: ${escapeMrkdwn(v.reason)}`))
    .join('; ');
  const head = `:mag: ${commit} ${title}${where.onMain ? ` is on \`${escapeMrkdwn(settings.mainBranch)}\`` : ` is *not* on \`${escapeMrkdwn(settings.mainBranch)}\``}.`;
  return fitMessage({
    text: `Where ${where.sha.slice(0, 10)} is`,
    parts: [
      section(head),
      list(
        '*Trains containing it:*',
        lines.length > 0 ? lines : ['_none yet: it is in no train branch (it ships with the next train cut from main)_'],
        { maxBlocks: 4 },
      ),
      section(`_${envNotes}._`),
    ],
  });
}
