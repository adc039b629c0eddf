/**
 * Socket Mode's connection over a session: the socket dropping mid-session, and Slack asking the bot to
 * reconnect (`disconnect` with `refresh_requested`, or `warning` before it closes a connection). Each time the
 * bot asks `apps.connections.open` for a new URL, connects, and the next command works; a command Slack
 * delivers again after a drop is acked again but answered once. A bad app token stops the start with Slack's
 * error instead of retrying for ever.
 */
import { startBot } from '../../src/main';
import { startFakeGitHub } from '../fakes/github-server';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket';
import { dropSchema, freshSchemaName, silentLogger } from '../support/database';
import { fakesEnv, harnessForAll, type Harness } from '../support/harness';

const USER = 'U0SOCKET1';

/** Runs `/release status` and waits for its dashboard; returns the envelope's ack. */
async function status(h: Harness): Promise<void> {
  const before = h.slack.responses.length;
  const reply = await h.sender.sendSlashCommand({ text: 'status', userId: USER });
  expect(reply.status).toBe(200);
  await h.slack.waitForResponses(before + 1, 10_000);
  expect(JSON.stringify(h.slack.responses[before]?.body)).toContain('main is building it');
}

describe('Socket Mode reconnects', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  beforeAll(async () => {
    slack = await startFakeSlack();
    socket = await startFakeSocketMode({ slack });
  });
  const h = harnessForAll(() => ({ slack, socketMode: socket }));
  afterAll(async () => {
    await socket.close();
    await slack.close();
  });
  afterEach(async () => {
    await h.bot.app.deps.inFlight.idle(20_000);
  });

  const opens = () => slack.callsTo('apps.connections.open').length;

  test('the socket drops mid-session: the bot asks for a new URL, reconnects, and the next command works', async () => {
    await socket.waitForConnections(1);
    await status(h);
    const before = opens();
    socket.drop();
    await socket.waitForConnections(2);
    expect(opens()).toBe(before + 1);
    expect(socket.openConnections().map((c) => c.number)).toEqual([2]);
    await status(h);
    expect(socket.acks.at(-1)?.connection).toBe(2);
  });

  test.each(['refresh_requested', 'warning'] as const)('Slack sends disconnect (%s): the bot reconnects and goes on', async (reason) => {
    const count = socket.connections.length;
    socket.disconnect(reason);
    await socket.waitForConnections(count + 1);
    expect(socket.openConnections().map((c) => c.number)).toEqual([count + 1]);
    await status(h);
  });

  test('a command delivered again after a drop is acked on the new socket and answered once', async () => {
    const fields = h.sender.slashCommandFields({ text: 'status', userId: USER });
    const before = h.slack.responses.length;
    await h.sender.sendSlashCommandFields(fields);
    await h.slack.waitForResponses(before + 1, 10_000);
    await h.bot.app.deps.inFlight.idle(20_000);
    const count = socket.connections.length;
    socket.drop();
    await socket.waitForConnections(count + 1);
    // Slack delivers it again (a new envelope, the same trigger): acked, not run twice.
    await h.sender.sendSlashCommandFields(fields);
    await h.bot.app.deps.inFlight.idle(20_000);
    const [first, second] = socket.envelopes.slice(-2);
    expect(first?.payload.trigger_id).toBe(second?.payload.trigger_id);
    expect(socket.acksOf(first?.envelope_id ?? '')).toHaveLength(1);
    expect(socket.acksOf(second?.envelope_id ?? '')).toHaveLength(1);
    expect(h.slack.responses.length).toBe(before + 1);
    // Every envelope of the session was acked exactly once, whatever the socket went through.
    for (const envelope of socket.envelopes) expect(socket.acksOf(envelope.envelope_id)).toHaveLength(1);
    expect(socket.strayMessages).toEqual([]);
  });
});

describe('Socket Mode tokens', () => {
  test('apps.connections.open refuses the bot token, as Slack does; bot methods refuse the app token', async () => {
    const slack = await startFakeSlack();
    const socket = await startFakeSocketMode({ slack });
    try {
      const call = async (method: string, token: string) =>
        (await (await fetch(`${slack.apiUrl}${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as {
          ok: boolean;
          error?: string;
          url?: string;
        };
      expect(await call('apps.connections.open', slack.botToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
      expect(await call('auth.test', socket.appToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
      expect((await call('apps.connections.open', socket.appToken)).url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    } finally {
      await socket.close();
      await slack.close();
    }
  });

  test('an app token Slack does not know stops the start with invalid_auth (no endless retrying)', async () => {
    const slack = await startFakeSlack();
    const socket = await startFakeSocketMode({ slack });
    const github = await startFakeGitHub();
    const schema = freshSchemaName('socket-token');
    try {
      const started = startBot({
        env: { ...fakesEnv({ slack, github, schema }), SLACK_APP_TOKEN: 'xapp-1-revoked', PORT: '0' },
        logger: silentLogger,
        host: '127.0.0.1',
        tuning: { runScheduler: false, slackRetry: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 20 } },
      });
      await expect(started).rejects.toThrow(/invalid_auth/);
      expect(socket.connections).toHaveLength(0);
    } finally {
      await socket.close();
      await slack.close();
      await github.close();
      await dropSchema(schema);
    }
  });
});
