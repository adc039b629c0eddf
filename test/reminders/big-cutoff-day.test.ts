/**
 * Tried as a new user would: a cutoff day with 300 open PRs by 40 authors,
 * end to end (scheduler ticks, fake Slack, fake GitHub, real PostgreSQL). The
 * check-in, every sweep DM, the owner's summary and the cutoff message are
 * posted, Slack accepts each one, and each is within Slack's limits as
 * test/support/slack-limits.ts measures them (once the fake Slack is strict,
 * it refuses what breaks them: this test then proves it twice).
 */
import { harnessForAll } from '../support/harness';
import { measureMessage } from '../support/slack-limits';
import { ALICE } from '../support/team';
import {
  BIG_DAY,
  BIG_DAY_READY,
  BIG_DAY_SETTINGS,
  BIG_DAY_START,
  CHANNEL,
  arrangeBigCutoffDay,
  runBigCutoffDay,
  type SentMessage,
} from './big-cutoff-day';

describe('a cutoff day with 300 open PRs by 40 authors', () => {
  const h = harnessForAll({ settings: BIG_DAY_SETTINGS, now: BIG_DAY_START }, arrangeBigCutoffDay);
  let messages: SentMessage[] = [];

  beforeAll(async () => {
    messages = await runBigCutoffDay(h);
  }, 120_000);

  test('Slack accepts every message, and each is within its limits', () => {
    expect(messages.length).toBeGreaterThan(BIG_DAY.authors);
    for (const message of messages) {
      expect({ text: message.text.slice(0, 80), error: message.error }).toEqual({ text: message.text.slice(0, 80), error: null });
      const measure = measureMessage(message);
      expect({ text: message.text.slice(0, 80), breaches: measure.breaches }).toEqual({ text: message.text.slice(0, 80), breaches: [] });
    }
  });

  test('the team channel gets its check-in and its cutoff message, each saying what it left out', () => {
    const inChannel = messages.filter((m) => m.channel === CHANNEL && m.method === 'chat.postMessage');
    const checkIn = inChannel.find((m) => m.text.startsWith('Train 302 is cut'));
    const cutoff = inChannel.find((m) => m.text.startsWith('Tagging train 302 now'));
    expect(checkIn).toBeDefined();
    expect(cutoff).toBeDefined();
    expect(JSON.stringify(checkIn?.blocks)).toMatch(/…and \d+ more author/);
    expect(JSON.stringify(checkIn?.blocks)).toContain('_By blocker:_');
    const rolls = JSON.stringify(cutoff?.blocks);
    expect(rolls).toContain(`*Rolls to train 303* (${BIG_DAY_READY} still open)`);
    const listed = (rolls.match(/\/pull\/\d+\|/g) ?? []).length;
    expect(rolls).toContain(`…and ${BIG_DAY_READY - listed} more`);
    expect(rolls).toContain('https://github.com/mozilla/fxa/pulls?q=is%3Apr+is%3Aopen+base%3Amain');
  });

  test('every author on Slack got a DM, and the owner a summary that counts what it does not list', () => {
    const dms = messages.filter((m) => m.method === 'chat.postMessage' && m.text.includes('will your PRs land in time?'));
    expect(new Set(dms.map((m) => m.channel)).size).toBe(BIG_DAY.authors - BIG_DAY.notOnSlack);
    const summary = messages.find((m) => m.text.startsWith(`Train 302: ${BIG_DAY_READY} open PRs before the cutoff`));
    expect(summary).toBeDefined();
    const text = JSON.stringify(summary?.blocks);
    // Drafts are listed apart, in a context block.
    const sections = JSON.stringify(summary?.blocks.filter((b) => (b as { type?: string }).type === 'section'));
    const listed = (sections.match(/\/pull\/\d+\|/g) ?? []).length;
    expect(text).toContain(`…and ${BIG_DAY_READY - listed} more`);
    expect(h.slack.messagesIn(h.slack.dmChannelFor(ALICE)).length).toBeGreaterThan(0);
  });
});
