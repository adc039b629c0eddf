/**
 * `/release status`: the dashboard, to the caller only. Slack has already had
 * its ack; if GitHub is slow the caller first gets what is known at once, and
 * the full dashboard replaces it when GitHub answers.
 */
import type { CommandContext, Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import { buildStatusReport, getStatusReport, readLocalShared } from './gather-status';
import { renderStatus } from './status-view';

/** How long to wait for GitHub before showing a first, partial answer. */
const FIRST_ANSWER_WITHIN_MS = 2_000;

export function createStatusSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'status',
    usage: 'status',
    summary: 'the train at a glance: owner, cutoff countdown, open PRs, latest tag and its CI',
    maxArgs: 0,
    // The dashboard is the heaviest answer: it takes one of the few work slots (see InFlightWork),
    // so a burst of them cannot hold up acks or other commands (a modal must open within 3 s).
    heavy: true,
    run: answerStatus,
  };

  async function answerStatus(context: CommandContext): Promise<void> {
    const { settings } = deps.config;
    const full = getStatusReport({ deps, now: context.now });
    let timer: NodeJS.Timeout | undefined;
    const early = await Promise.race([
      full,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, FIRST_ANSWER_WITHIN_MS, undefined);
      }),
    ]);
    clearTimeout(timer);
    // Many statuses wait on one shared GitHub read: let new requests be acked between their renders.
    await context.yieldToAcks();
    if (early) {
      await context.respond({ response_type: 'ephemeral', ...renderStatus(early, settings) });
      return;
    }
    // The database's part was read (and kept) for the full report already: the same read, not a second one.
    const local = await readLocalShared(deps, context.now, false);
    const partial = buildStatusReport({
      now: context.now,
      calendar: deps.calendar,
      settings,
      snapshot: null,
      missing: ['GitHub is slow to answer: tags, CI and open pull requests will appear here in a moment.'],
      ...local,
    });
    await context.respond({ response_type: 'ephemeral', ...renderStatus(partial, settings) });
    // The full dashboard replaces it when GitHub answers; waiting for that holds no work slot.
    context.keepRunning(
      full
        .then((report) => context.respond({ response_type: 'ephemeral', replace_original: true, ...renderStatus(report, settings) }))
        .catch((error: unknown) => deps.logger.error({ err: error }, 'status: could not send the full dashboard')),
    );
  }
}
