/**
 * `/release request-patch [train]` (the modal) and `/release patches [train]`
 * (the requests, their decisions and the planned dot releases).
 */
import type { AppDeps } from '../deps';
import type { Subcommand } from '../commands/router';
import { parseTrainArgument } from '../commands/parse-values';
import { escapeMrkdwn, mentionUser, slackDate } from '../slack/mrkdwn';
import { formatInZones } from '../train/time-format';
import { listDotReleasePlans, listPatchRequests } from './patch-store';
import { reasonLabel } from './request-input';
import { openPatchRequestModal } from './request-modal';

const USAGE = 'Usage: `/release request-patch [train]` or `/release patches [train]`.';

export function createRequestPatchSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'request-patch',
    usage: 'request-patch [train]',
    summary: 'ask for a patch (dot) release: a form that goes to the train’s owner',
    maxArgs: 1,
    async run(context) {
      const train = context.args[0] === undefined ? undefined : parseTrainArgument(context.args[0], USAGE);
      await openPatchRequestModal({
        deps,
        client: context.client,
        triggerId: context.triggerId,
        now: context.now,
        ...(train !== undefined ? { preset: { train } } : {}),
      });
    },
  };
}

/** How many requests `/release patches` lists without a train. */
const RECENT = 15;

export function createPatchesSubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;
  const when = (instant: Date) => slackDate(instant, '{date_short_pretty} at {time}', formatInZones(instant, settings.displayTimeZones));
  return {
    name: 'patches',
    usage: 'patches [train]',
    summary: 'patch requests, their decisions, and the planned dot releases',
    maxArgs: 1,
    async run(context) {
      const train = context.args[0] === undefined ? undefined : parseTrainArgument(context.args[0], USAGE);
      const { prisma } = deps.db;
      const requests = await listPatchRequests({ prisma, train, latest: RECENT });
      const plans = await listDotReleasePlans({ prisma, train });
      const sections: string[] = [];
      for (const plan of plans) {
        const commits = plan.commits
          .map((c, i) => `   ${i + 1}. \`${c.sha.slice(0, 10)}\` ${escapeMrkdwn(c.title)} (#${c.requestId})`)
          .join('\n');
        sections.push(
          `:package: *Dot release ${plan.train}.${plan.patch}* \`${escapeMrkdwn(plan.tag)}\` (${plan.status}), ${plan.commits.length} commit(s) in pick order:\n${commits}`,
        );
      }
      for (const request of requests) {
        const head =
          `*#${request.id}* train ${request.train}, *${request.status}*, from ${mentionUser(request.requestedBy)} on ${when(request.createdAt)}: ` +
          `${escapeMrkdwn(reasonLabel(request.reason))}; ${request.commits.map((c) => `\`${c.sha.slice(0, 10)}\``).join(', ')}`;
        const decisions = request.decisions.map((d) => {
          const text = d.text ? `: ${escapeMrkdwn(d.text)}` : '';
          const verb = { approve: 'approved', decline: 'declined', question: 'asked', withdraw: 'withdrew' }[d.kind] ?? d.kind;
          return `   ↳ ${mentionUser(d.actor)} ${verb} on ${when(d.at)}${text}`;
        });
        sections.push([head, `   > ${escapeMrkdwn(request.justification).split('\n').join(' ')}`, ...decisions].join('\n'));
      }
      const scope = train !== undefined ? `for train ${train}` : `(open dot releases and the latest ${RECENT} requests)`;
      const text =
        sections.length > 0
          ? `*Patch requests ${scope}*\n${sections.join('\n')}`
          : `No patch requests ${train !== undefined ? `for train ${train}` : 'yet'}. Ask for one with \`/release request-patch\`.`;
      await context.respond({ response_type: 'ephemeral', text: text.length > 39_000 ? `${text.slice(0, 39_000)}\n…` : text });
    },
  };
}
