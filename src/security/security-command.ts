/**
 * `/release security start <train>` / `tag <train>` / `uplift <train.patch>` / `audit` (issue 16).
 *
 * Answered only in a DM with the bot or in the configured `securityChannel`, never in the team channel; only the
 * train's owner or an admin may run them (`audit`: admins only). Replies name tags, commits and branches, never
 * the fix's subject or files; what is logged at info level is the same.
 */
import type { CommandContext, Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { positiveIdOf } from '../commands/parse-values';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { requireTagger } from '../tagging/permissions';
import { formatBranch, formatTag } from '../train/versions';
import {
  allowUplift,
  findSecurityRelease,
  listSecurityAudit,
  recordSecurityAudit,
  recordSecurityTag,
  updateSecurityRelease,
} from './security-store';

const USAGE = [
  '`/release security start &lt;train&gt;`: push `train-N` from the public repository to the private one, to base the fix on',
  '`/release security tag &lt;train&gt;`: once the fix is merged into the private `train-N`, tag `v1.N.P` there',
  '`/release security uplift &lt;train.patch&gt;`: after production, open a PR of the fix against the public main',
  '`/release security audit`: who did what (admins)',
].join('\n');

/** Where security commands are answered: a DM with the bot, or the configured private channel. */
export function isPrivatePlace(channelId: string, securityChannel: string | undefined): boolean {
  return channelId.startsWith('D') || (securityChannel !== undefined && channelId === securityChannel);
}

function parseTrain(arg: string | undefined): number {
  const train = positiveIdOf(arg);
  if (train === null)
    throw new InvalidInputError(`Give the train as a number${arg ? `, not \`${escapeMrkdwn(arg)}\`` : ''}, e.g. \`301\`.\n${USAGE}`);
  return train;
}

function parseTrainPatch(arg: string | undefined): { train: number; patch: number } {
  const match = /^v?1?\.?(\d+)\.(\d+)$/.exec(arg ?? '');
  const train = Number(match?.[1]);
  const patch = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(train) || !Number.isSafeInteger(patch) || train < 1) {
    throw new InvalidInputError(
      `Give the security release as \`train.patch\`${arg ? `, not \`${escapeMrkdwn(arg)}\`` : ''}, e.g. \`301.3\` for v1.301.3.\n${USAGE}`,
    );
  }
  return { train, patch };
}

export function createSecuritySubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;
  const logger = deps.logger.child({ module: 'security' });

  async function start(context: CommandContext, security: NonNullable<AppDeps['security']>): Promise<string> {
    const train = parseTrain(context.args[1]);
    await requireTagger({ deps, userId: context.userId, now: context.now, train, action: 'start a security release' });
    const started = await security.repository.startTrain(train);
    await recordSecurityAudit(deps.db.prisma, {
      actor: context.userId,
      action: 'security.start',
      subject: started.branch,
      details: { train, head: started.head },
      at: context.now,
    });
    logger.info({ train, actor: context.userId }, 'security release started');
    return (
      `:lock: ${started.kind === 'pushed' ? `Pushed \`${started.branch}\` from the public repository to` : `\`${started.branch}\` is already in`} ` +
      `*${escapeMrkdwn(settings.privateRepository ?? '')}* (at \`${started.head.slice(0, 12)}\`).\n` +
      `Base the fix on \`${started.branch}\` there and open its pull request against \`${started.branch}\` in the private repository ` +
      '(never in the public one). Once it is merged: `/release security tag ' +
      `${train}\`.`
    );
  }

  async function tag(context: CommandContext, security: NonNullable<AppDeps['security']>): Promise<string> {
    const train = parseTrain(context.args[1]);
    await requireTagger({ deps, userId: context.userId, now: context.now, train, action: 'tag a security release' });
    const tagged = await security.repository.tag({ train });
    const row = await recordSecurityTag(deps.db.prisma, {
      train,
      tag: tagged.tag,
      commit: tagged.commit,
      actor: context.userId,
      now: context.now,
    });
    const [, patch = ''] = /\.(\d+)(?:-[^.]*)?$/.exec(tagged.tag) ?? [];
    if (!row.issueUrl) {
      const issue = await security.tracker.createIssue({
        title: `Uplift security release ${tagged.tag} to the public repository`,
        body: [
          `Security release \`${tagged.tag}\` of train ${train} was tagged in the private repository.`,
          '',
          'Next sprint, once it is verified in production:',
          `- run \`/release security uplift ${train}.${patch}\` in a DM with release-conductor: it opens a pull request of the fix against the public \`${settings.mainBranch}\`, for the normal review;`,
          '- close this issue when that pull request is merged.',
        ].join('\n'),
        labels: ['security-uplift'],
      });
      await updateSecurityRelease(deps.db.prisma, row.id, { issueUrl: issue.url }, context.now);
      row.issueUrl = issue.url;
    }
    logger.info({ train, tag: tagged.tag, actor: context.userId }, 'security release tagged');
    return (
      `:lock: ${tagged.pushedTo ? 'Tagged' : 'Already tagged'} \`${tagged.commit.slice(0, 12)}\` on the private \`${formatBranch(settings.branchFormat, train)}\` ` +
      `as *${tagged.tag}*${tagged.pushedTo ? ' and pushed that tag alone to the private repository' : ''}.\n` +
      `I follow its CI (\`${escapeMrkdwn(settings.ciCheckName)}\`) on the private repository and tell you the result here. ` +
      `Operations deploy it to production from the private repository; when production reports ${tagged.tag}, I remind ${mentionUser(row.taggedBy)} to uplift it.\n` +
      `Uplift reminder filed: ${row.issueUrl}`
    );
  }

  async function uplift(context: CommandContext, security: NonNullable<AppDeps['security']>): Promise<string> {
    const { train, patch } = parseTrainPatch(context.args[1]);
    await requireTagger({ deps, userId: context.userId, now: context.now, train, action: 'uplift a security release' });
    const name = formatTag(settings.privateTagFormat, train, patch);
    const release = await findSecurityRelease(deps.db.prisma, name);
    if (!release) {
      throw new InvalidInputError(
        `I know no security release ${escapeMrkdwn(name)}. Tag one with \`/release security tag ${train}\` first.`,
      );
    }
    if (release.upliftPrUrl) return `:lock: ${name} is uplifted already: ${release.upliftPrUrl}`;
    const fix = await security.repository.fixOf({ train, tag: name });
    // From here on the guard lets this release's commits reach the public repository (only as this branch, for review).
    await allowUplift(deps.db.prisma, { id: release.id, tag: name, actor: context.userId, now: context.now });
    const branch = `security-uplift/${name}`;
    const remote = settings.gitRemoteUrl ?? `https://github.com/${settings.repository}.git`;
    const applied = await deps.git.open(remote).applyPatches({ base: settings.mainBranch, patches: fix.patches, paths: fix.files, branch });
    if (applied.kind === 'conflict') {
      return (
        `:warning: The fix of ${name} does not apply cleanly on the public \`${settings.mainBranch}\` ` +
        `(conflict in ${applied.files.map((f) => `\`${escapeMrkdwn(f)}\``).join(', ')}); I pushed nothing. ` +
        `Cherry-pick it by hand onto a branch off \`${settings.mainBranch}\` and open the pull request yourself.`
      );
    }
    const pr = await deps.github.createPullRequest({
      head: branch,
      base: settings.mainBranch,
      title: `Uplift security release ${name}`,
      body: `The fix of security release ${name} (train ${train}), verified in production, brought to \`${settings.mainBranch}\` for review.${release.issueUrl ? `\n\nReminder: ${release.issueUrl}` : ''}`,
    });
    await updateSecurityRelease(deps.db.prisma, release.id, { status: 'uplifted', upliftPrUrl: pr.url }, context.now);
    logger.info({ tag: name, actor: context.userId }, 'security release uplifted (pull request opened)');
    return `:lock: Opened ${pr.url}: the fix of ${name} (${fix.commits.length} commit(s)) as a pull request against the public \`${settings.mainBranch}\`, for the normal review. Nothing was pushed to \`${settings.mainBranch}\` itself.`;
  }

  async function audit(context: CommandContext): Promise<string> {
    if (!(await deps.admins.isAdmin(context.userId, context.now)))
      throw new PermissionDeniedError('Only an admin can read the security audit trail.');
    const events = await listSecurityAudit(deps.db.prisma);
    if (events.length === 0) return 'The security audit trail is empty.';
    return `*Security audit trail* (newest first):\n${events
      .map(
        (e) =>
          `• ${e.at.toISOString().slice(0, 16).replace('T', ' ')} UTC ${mentionUser(e.actor)} \`${e.action}\` ${escapeMrkdwn(e.subject ?? '')}`,
      )
      .join('\n')}`;
  }

  return {
    name: 'security',
    usage: 'security start|tag|uplift|audit …',
    summary: 'security releases through the private repository (in a DM with me)',
    maxArgs: 2,
    mutates: (args) => ['start', 'tag', 'uplift'].includes((args[0] ?? '').toLowerCase()),
    async run(context) {
      const reply = (text: string) => context.respond({ response_type: 'ephemeral', text });
      // Before anything else, and without repeating what was typed: never in the team channel.
      if (!isPrivatePlace(context.channelId, settings.securityChannel)) {
        await reply(
          `:lock: I answer security commands only in a direct message with me${settings.securityChannel ? ` or in <#${settings.securityChannel}>` : ''}. Nothing was done.`,
        );
        return;
      }
      const security = deps.security;
      if (!security) {
        await reply('Security releases are off: set `privateRepository` (e.g. `mozilla/fxa-private`) in the settings to turn them on.');
        return;
      }
      const verb = (context.args[0] ?? '').toLowerCase();
      switch (verb) {
        case 'start':
          await reply(await start(context, security));
          return;
        case 'tag':
          await reply(await tag(context, security));
          return;
        case 'uplift':
          await reply(await uplift(context, security));
          return;
        case 'audit':
          await reply(await audit(context));
          return;
        default:
          throw new InvalidInputError(`${verb ? `I don't know \`security ${escapeMrkdwn(verb)}\`.` : 'Say what to do.'}\n${USAGE}`);
      }
    },
  };
}
