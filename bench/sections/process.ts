/** The benchmark process as a whole: its peak memory and how much was sent. Runs last. */
import type { BenchSection, SectionResult } from '../figures';

export function processSection(): BenchSection {
  return {
    title: 'Process',
    async run(context): Promise<SectionResult> {
      // ru_maxrss is in kilobytes on Linux.
      const rssPeakMb = process.resourceUsage().maxRSS / 1024;
      const total = Object.values(context.requestsSent).reduce((sum, n) => sum + n, 0);
      return {
        figures: [
          {
            key: 'bench_process_rss_peak_mb',
            label: 'peak RSS of the benchmark process',
            value: Number(rssPeakMb.toFixed(1)),
            unit: 'MB',
            decimals: 1,
          },
          {
            key: 'bench_process_rss_now_mb',
            label: 'its RSS at the end',
            value: Number((process.memoryUsage().rss / 1024 / 1024).toFixed(1)),
            unit: 'MB',
            decimals: 1,
          },
          { key: 'requests_total', label: 'slash commands sent (all apps, warm-up included)', value: total, unit: '', decimals: 0 },
          {
            key: 'requests_total_bot',
            label: '…of which to the bot (in this process)',
            value: context.requestsSent.ours ?? 0,
            unit: '',
            decimals: 0,
          },
          {
            key: 'requests_total_bare_bolt',
            label: '…of which to bare Bolt',
            value: context.requestsSent.bare ?? 0,
            unit: '',
            decimals: 0,
          },
          {
            key: 'requests_total_bot_process',
            label: '…of which to the bot in its own process',
            value: context.requestsSent.child ?? 0,
            unit: '',
            decimals: 0,
          },
        ],
        targets: [],
        notes: [
          'The benchmark process holds a second bot (the in-process one measured first), the bare Bolt app, the fake Slack, ' +
            "the fake GitHub (with its GraphQL engine) and the load generator: no target. The bot's own peak RSS (rss_peak_mb) " +
            'is measured on the bot alone, in its own process, above.',
        ],
      };
    },
  };
}
