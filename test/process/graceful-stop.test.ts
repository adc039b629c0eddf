import { createBolt } from '../../src/slack/create-bolt';
import { silentLogger } from '../support/database';
import { startHarness } from '../support/harness';

describe('stopping', () => {
  test('work in flight when the stop begins is finished, and new requests are refused', async () => {
    const h = await startHarness();
    let closed = false;
    try {
      // GitHub answers in 1.5 s: the status reply is still being prepared when the stop begins.
      h.github.injectFault({ delayMs: 1500 }, { times: 1 });
      const reply = await h.sender.sendSlashCommand({ text: 'status' });
      expect(reply.status).toBe(200);
      const stopped = h.bot.stop();
      await stopped;
      closed = true;
      expect(h.slack.responses.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(h.slack.responses.at(-1)?.body)).toContain('Train');
      await expect(fetch(`${h.bot.url}/healthz`)).rejects.toThrow();
    } finally {
      if (!closed) await h.bot.stop();
      await h.close();
    }
  });
});

describe('Socket Mode', () => {
  test('is used when an app-level token is set, with no HTTP listener for Slack', () => {
    const bolt = createBolt({
      botToken: 'xoxb-socket-test',
      signingSecret: undefined,
      appToken: 'xapp-1-A0123-456-socket',
      slackApiUrl: 'http://127.0.0.1:9/api/',
      logger: silentLogger,
    });
    expect(bolt.mode).toBe('socket');
    expect(bolt.eventsListener).toBeUndefined();
  });

  test('HTTP mode needs the signing secret', () => {
    expect(() =>
      createBolt({
        botToken: 'xoxb-http-test',
        signingSecret: undefined,
        appToken: undefined,
        slackApiUrl: 'http://127.0.0.1:9/api/',
        logger: silentLogger,
      }),
    ).toThrow('SLACK_SIGNING_SECRET is required in HTTP mode');
  });
});
