/** The process as a whole: peak memory and how much was sent. Runs last. */
import type { BenchSection, SectionResult } from '../figures';

export const RSS_LIMIT_MB = 150;

export function processSection(): BenchSection {
  return {
    title: 'Process',
    async run(context): Promise<SectionResult> {
      // ru_maxrss is in kilobytes on Linux.
      const rssPeakMb = process.resourceUsage().maxRSS / 1024;
      const total = Object.values(context.requestsSent).reduce((sum, n) => sum + n, 0);
      return {
        figures: [
          { key: 'rss_peak_mb', label: 'peak RSS of this process', value: Number(rssPeakMb.toFixed(1)), unit: 'MB', decimals: 1 },
          { key: 'rss_now_mb', label: 'RSS at the end', value: Number((process.memoryUsage().rss / 1024 / 1024).toFixed(1)), unit: 'MB', decimals: 1 },
          { key: 'requests_total', label: 'slash commands sent (all apps, warm-up included)', value: total, unit: '', decimals: 0 },
          { key: 'requests_total_bot', label: '…of which to the bot (in this process)', value: context.requestsSent.ours ?? 0, unit: '', decimals: 0 },
          { key: 'requests_total_bare_bolt', label: '…of which to bare Bolt', value: context.requestsSent.bare ?? 0, unit: '', decimals: 0 },
          { key: 'requests_total_bot_process', label: '…of which to the bot in its own process', value: context.requestsSent.child ?? 0, unit: '', decimals: 0 },
        ],
        targets: [{ figureKey: 'rss_peak_mb', description: `peak RSS < ${RSS_LIMIT_MB} MB`, comparison: '<', limit: RSS_LIMIT_MB }],
        notes: [
          'The peak RSS is the whole benchmark process: the bot, plus the bare Bolt app, the fake Slack, the fake GitHub ' +
            '(with its GraphQL engine) and the load generator, all in this one process. The bot alone uses less.',
        ],
      };
    },
  };
}
