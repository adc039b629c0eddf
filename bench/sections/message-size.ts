/**
 * The size of a big cutoff day's messages, as Slack measures them: 300 open
 * PRs by 40 authors (test/reminders/big-cutoff-day.ts, as the end-to-end test
 * plays it), in a bot of its own. Slack answers `msg_blocks_too_long` past
 * about 12,000 characters of block text in a message (slackapi/bolt-js issues
 * 2509 and 2867); the figure is the largest message of the day.
 */
import { startHarness } from '../../test/support/harness';
import { measureMessage } from '../../test/support/slack-limits';
import { arrangeBigCutoffDay, BIG_DAY, BIG_DAY_SETTINGS, BIG_DAY_START, runBigCutoffDay } from '../../test/reminders/big-cutoff-day';
import type { BenchSection, SectionResult } from '../figures';

/** Slack's observed limit on the text of one message's blocks. */
const SLACK_BLOCK_TEXT_LIMIT = 12_000;

export function messageSizeSection(): BenchSection {
  return {
    title: `Message sizes: a cutoff day with ${BIG_DAY.openPullRequests} open PRs by ${BIG_DAY.authors} authors`,
    async run(context): Promise<SectionResult> {
      const h = await startHarness({ now: BIG_DAY_START, settings: { ...BIG_DAY_SETTINGS, announcementChannel: 'C0BENCH02' } });
      try {
        await arrangeBigCutoffDay(h);
        context.progress('Message sizes: check-in, two sweeps and the cutoff message with 300 open PRs');
        const messages = await runBigCutoffDay(h);
        const measured = messages.map((message) => ({ message, measure: measureMessage(message) }));
        const largest = [...measured].sort((a, b) => b.measure.textChars - a.measure.textChars)[0] ?? null;
        const refused = messages.filter((m) => !m.ok).length;
        const breaches = measured.reduce((sum, m) => sum + m.measure.breaches.length, 0);
        return {
          figures: [
            {
              key: 'blocks_text_chars_max_300_prs',
              label: 'largest message of the day, characters of block text',
              value: largest?.measure.textChars ?? 0,
              unit: '',
              decimals: 0,
            },
            { key: 'cutoff_day_messages_refused_300_prs', label: 'messages Slack refused', value: refused, unit: '', decimals: 0 },
            { key: 'cutoff_day_limit_breaches_300_prs', label: 'Block Kit limits broken', value: breaches, unit: '', decimals: 0 },
          ],
          targets: [
            {
              figureKey: 'blocks_text_chars_max_300_prs',
              description: `≤ ${SLACK_BLOCK_TEXT_LIMIT} characters of block text in any message (msg_blocks_too_long beyond)`,
              comparison: '<=',
              limit: SLACK_BLOCK_TEXT_LIMIT,
            },
            { figureKey: 'cutoff_day_messages_refused_300_prs', description: 'Slack takes every message', comparison: '<=', limit: 0 },
            { figureKey: 'cutoff_day_limit_breaches_300_prs', description: 'no Block Kit limit broken', comparison: '<=', limit: 0 },
          ],
          notes: [
            `${messages.length} messages posted or updated (check-in, DMs of both sweeps, the owner's summary, the cutoff message).`,
            largest ? `The largest: "${largest.message.text.slice(0, 80)}" (${largest.measure.blocks} blocks).` : 'No message was posted.',
          ],
        };
      } finally {
        await h.close();
      }
    },
  };
}
