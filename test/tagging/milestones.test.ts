/**
 * Issue 15 item 4: the team sees the cut. "Cut", "CI failed", "on stage" and
 * "in production" (and the end-of-cut summary) are thread replies also sent
 * to the channel (`reply_broadcast`), or posted there too, or kept in the
 * thread (`milestones.*`); the other notices stay in the thread.
 */
import { WebClient } from '@slack/web-api';
import { startFakeSlack } from '../fakes/slack-server';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { rerunCi, setCi, succeedTagRun } from '../fakes/tag-release-workflow';
import { silentLogger } from '../slack-fakes/silent-logger';
import type { Harness } from '../support/harness';
import { CHANNEL, cutOf, repliesNow, SETTINGS, startCut, startTaggingHarness, tick } from './helpers';

// Each test plays a cut minute by minute (many scheduler ticks): on a loaded machine that takes longer than Jest's default.
jest.setTimeout(120_000);

describe('the cut seen by the channel', () => {
  let envs: FakeEnvironments;
  beforeAll(async () => {
    envs = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
  });
  afterAll(async () => {
    await envs.close();
  });
  const settings = (milestones: Record<string, unknown> = {}) => ({
    ...SETTINGS,
    stageVersionUrl: envs.stageUrl,
    productionVersionUrl: envs.productionUrl,
    milestones,
  });

  /** Tag, a CI failure, its re-run passing, stage, then production. */
  async function playTheCut(h: Harness): Promise<string> {
    envs.set('stage', '1.302.0');
    envs.set('production', '1.301.4');
    const { mark, run } = await startCut(h);
    const cut = succeedTagRun(h.github, run);
    setCi(h.github, cut.sha, 'completed', 'failure');
    for (let i = 0; i < 3; i++) await tick(h);
    rerunCi(h.github, cut.sha, 'completed', 'success');
    for (let i = 0; i < 6; i++) await tick(h, 5);
    envs.set('stage', '1.303.0');
    for (let i = 0; i < 3; i++) await tick(h, 5);
    expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });
    envs.set('production', '1.303.0');
    for (let i = 0; i < 3; i++) await tick(h, 5);
    expect(await cutOf(h)).toMatchObject({ state: 'in_production', productionVersion: '1.303.0' });
    return mark;
  }

  test('by default the four milestones and the summary are broadcast from the thread; the other notices stay in it', async () => {
    const h = await startTaggingHarness({ settings: settings() });
    try {
      const mark = await playTheCut(h);
      const replies = await repliesNow(h, mark);
      const broadcast = replies.filter((m) => m.subtype === 'thread_broadcast').map((m) => m.text.split(':')[1]);
      expect(broadcast).toEqual(['label', 'x', 'rocket', 'checkered_flag', 'tada']);
      const quiet = replies.filter((m) => m.subtype === undefined).map((m) => m.text);
      expect(quiet.some((t) => t.includes('is cutting train 303'))).toBe(true);
      expect(quiet.some((t) => t.includes('CI passed on v1.303.0'))).toBe(true);
      expect(replies.find((m) => m.text.includes('Train 303 reached production'))?.text).toContain(
        'production reports 1.303.0 for v1.303.0',
      );
      // Slack lists broadcast replies in the channel's history, as the team sees them there.
      const client = new WebClient(h.slack.botToken, { slackApiUrl: h.slack.apiUrl, logger: silentLogger() });
      const history = await client.conversations.history({ channel: CHANNEL });
      const seen = (history.messages ?? []).map((m) => m.text ?? '');
      expect(seen.some((t) => t.includes('Tagged v1.303.0'))).toBe(true);
      expect(seen.some((t) => t.includes('CI failed on v1.303.0'))).toBe(true);
      expect(seen.some((t) => t.includes('CI passed on v1.303.0'))).toBe(false);
      // One summary, when the train reached stage.
      expect(replies.filter((m) => m.text.includes("Train 303's cut is done"))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('"channel": the chosen milestones are also posted in the channel, linking the thread; the summary waits for production', async () => {
    const h = await startTaggingHarness({
      settings: settings({ visibility: 'channel', kinds: ['cut', 'on-stage', 'summary'], summaryAt: 'production' }),
    });
    try {
      const mark = await playTheCut(h);
      const replies = await repliesNow(h, mark);
      expect(replies.filter((m) => m.subtype === 'thread_broadcast')).toHaveLength(0);
      // Top-level posts after the cut, besides the one that starts the train's thread.
      const top = h.slack
        .messagesIn(CHANNEL)
        .filter((m) => m.thread_ts === undefined && Number(m.ts) > Number(mark) && !m.text.includes('in this thread'));
      const texts = top.map((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`);
      expect(texts.filter((t) => t.includes('Tagged v1.303.0'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('Train 303 is on stage'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('CI failed on v1.303.0'))).toHaveLength(0);
      expect(texts.every((t) => t.includes("|the train's thread>"))).toBe(true);
      const summary = texts.find((t) => t.includes("Train 303's cut is done"));
      expect(summary).toContain('is in production');
      // The summary waited for production: it comes after "reached production" in the thread.
      const order = replies.map((m) => m.text);
      expect(order.findIndex((t) => t.includes('cut is done'))).toBeGreaterThan(order.findIndex((t) => t.includes('reached production')));
    } finally {
      await h.close();
    }
  });

  test('"thread": nothing leaves the thread', async () => {
    const h = await startTaggingHarness({ settings: settings({ visibility: 'thread' }) });
    try {
      const mark = await playTheCut(h);
      const replies = await repliesNow(h, mark);
      expect(replies.filter((m) => m.subtype === 'thread_broadcast')).toHaveLength(0);
      expect(h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts === undefined && Number(m.ts) > Number(mark))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("the fake Slack's reply_broadcast", () => {
  test('as Slack: a broadcast reply is in the thread and the channel history; without thread_ts the flag is ignored', async () => {
    const slack = await startFakeSlack();
    try {
      slack.addChannel({ id: 'C0FXATEAM1', name: 'fxa-team' });
      const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, logger: silentLogger() });
      const root = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'Train 303' });
      if (!root.ts) throw new Error('no ts');
      await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'quiet reply', thread_ts: root.ts });
      const loud = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'loud reply', thread_ts: root.ts, reply_broadcast: true });
      await client.apiCall('chat.postMessage', { channel: 'C0FXATEAM1', text: 'plain', reply_broadcast: true });
      expect(loud.message?.subtype).toBe('thread_broadcast');
      const history = await client.conversations.history({ channel: 'C0FXATEAM1' });
      expect((history.messages ?? []).map((m) => m.text)).toEqual(['plain', 'loud reply', 'Train 303']);
      const replies = await client.conversations.replies({ channel: 'C0FXATEAM1', ts: root.ts });
      expect((replies.messages ?? []).map((m) => m.text)).toEqual(['Train 303', 'quiet reply', 'loud reply']);
      expect(slack.messagesIn('C0FXATEAM1').find((m) => m.text === 'plain')?.subtype).toBeUndefined();
    } finally {
      await slack.close();
    }
  });
});
