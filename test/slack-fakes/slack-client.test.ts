import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, verifySlackRequest } from '@slack/bolt';
import { createSlackRequestSender, stateValue, type SlackRequestSender } from '../fakes/slack-client';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { closeServer, listenOnLoopback, readBody } from '../support/http';
import { silentLogger } from './silent-logger';

const SECRET = 'test-signing-secret-8f742231b10e';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
  error?: string;
}

/** A tiny Slack-app stand-in that checks every request with Bolt's own verifier. */
async function startVerifier(signingSecret: string): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const entry: Received = { headers: req.headers, body, verified: false };
        try {
          verifySlackRequest({
            signingSecret,
            body,
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
            },
          });
          entry.verified = true;
        } catch (error) {
          entry.error = error instanceof Error ? error.message : String(error);
        }
        received.push(entry);
        res.writeHead(entry.verified ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ verified: entry.verified }));
      },
      (error: unknown) => res.writeHead(400).end(String(error)),
    );
  });
  const url = await listenOnLoopback(server);
  return {
    url: `${url}/slack/events`,
    received,
    close: () => closeServer(server),
  };
}

function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function parsePayload(body: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(parseForm(body).payload ?? '');
  if (typeof parsed !== 'object' || parsed === null) throw new Error('payload is not an object');
  return { ...parsed };
}

describe('signRequest', () => {
  test("matches the worked example in Slack's request-verification documentation", () => {
    const sender = createSlackRequestSender({
      eventsUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
    });
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
      '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(sender.signRequest(body, 1531420618)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});

describe('Slack request sender against a verifying server', () => {
  let verifier: Awaited<ReturnType<typeof startVerifier>>;
  let sender: SlackRequestSender;

  beforeEach(async () => {
    verifier = await startVerifier(SECRET);
    sender = createSlackRequestSender({
      eventsUrl: verifier.url,
      signingSecret: SECRET,
      responseUrlFor: (id) => `http://127.0.0.1:1/response/${id}`,
    });
  });

  afterEach(async () => {
    await verifier.close();
  });

  test('a slash command is form-encoded with every field Slack sends, and verifies', async () => {
    const response = await sender.sendSlashCommand({ text: 'status', userId: 'U0ALICE001', channelId: 'C0FXATEAM1' });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ verified: true });
    expect(response.elapsedMs).toBeGreaterThan(0);

    const [request] = verifier.received;
    expect(request?.verified).toBe(true);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['x-slack-request-timestamp']).toMatch(/^\d{10}$/);
    expect(request?.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(request?.headers).not.toHaveProperty('x-slack-retry-num');

    const fields = parseForm(request?.body ?? '');
    expect(Object.keys(fields).sort()).toEqual(
      [
        'token',
        'team_id',
        'team_domain',
        'channel_id',
        'channel_name',
        'user_id',
        'user_name',
        'command',
        'text',
        'api_app_id',
        'is_enterprise_install',
        'response_url',
        'trigger_id',
      ].sort(),
    );
    expect(fields).toMatchObject({
      command: '/release',
      text: 'status',
      user_id: 'U0ALICE001',
      channel_id: 'C0FXATEAM1',
      is_enterprise_install: 'false',
    });
    expect(fields.response_url).toMatch(/^http:\/\/127\.0\.0\.1:1\/response\/command-\d+$/);
  });

  test('trigger_ids are unique by default and can be fixed to replay a delivery', async () => {
    await sender.sendSlashCommand({ text: 'status' });
    await sender.sendSlashCommand({ text: 'status' });
    const fields = sender.slashCommandFields({ text: 'tag', triggerId: '1337.42.replayed' });
    await sender.sendSlashCommandFields(fields);
    await sender.sendSlashCommandFields(fields, { retryNum: 1, retryReason: 'http_timeout' });

    const triggers = verifier.received.map((r) => parseForm(r.body).trigger_id);
    expect(triggers[0]).not.toBe(triggers[1]);
    expect(triggers.slice(2)).toEqual(['1337.42.replayed', '1337.42.replayed']);
    expect(verifier.received[3]?.headers).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(verifier.received.every((r) => r.verified)).toBe(true);
  });

  test('a wrong secret, a stale timestamp and a missing signature do not verify', async () => {
    const wrong = await sender.sendSlashCommand({ text: 'status' }, { signingSecret: 'not-the-secret' });
    const stale = await sender.sendSlashCommand({ text: 'status' }, { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await sender.sendSlashCommand({ text: 'status' }, { signature: null });
    const literal = await sender.sendSlashCommand({ text: 'status' }, { signature: 'v0=deadbeef' });

    expect([wrong.status, stale.status, unsigned.status, literal.status]).toEqual([401, 401, 401, 401]);
    expect(verifier.received.map((r) => r.error)).toEqual([
      expect.stringContaining('signature mismatch'),
      expect.stringContaining('stale'),
      expect.stringContaining('unknown signature version'),
      expect.stringContaining('signature mismatch'),
    ]);
    expect(verifier.received[2]?.headers).not.toHaveProperty('x-slack-signature');
  });

  test('block_actions from a message: payload=<json> with the documented fields', async () => {
    const payload = sender.blockActionsPayload({
      userId: 'U0ALICE001',
      actionId: 'pr_will_land',
      value: '1234',
      channelId: 'C0FXATEAM1',
      messageTs: '1700000000.000100',
    });
    await sender.sendBlockActions(payload);
    const [request] = verifier.received;
    expect(request?.verified).toBe(true);
    const sent = parsePayload(request?.body ?? '');
    expect(sent).toEqual(JSON.parse(JSON.stringify(payload)));
    expect(sent).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0ALICE001' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0FXATEAM1', is_ephemeral: false },
      channel: { id: 'C0FXATEAM1' },
      message: { ts: '1700000000.000100' },
      actions: [{ action_id: 'pr_will_land', block_id: 'pr-answer', value: '1234', type: 'button' }],
    });
    expect(sent.trigger_id).toMatch(/^1337\.42\./);
    expect(sent.response_url).toMatch(/\/response\/action-\d+$/);
  });

  test('block_actions from App Home carry the view and no response_url', () => {
    const payload = sender.blockActionsPayload({
      userId: 'U0ALICE001',
      actionId: 'open_request_patch',
      view: { id: 'V0HOME0001', type: 'home' },
    });
    expect(payload.container).toEqual({ type: 'view', view_id: 'V0HOME0001' });
    expect(payload.view).toMatchObject({ id: 'V0HOME0001', type: 'home', root_view_id: 'V0HOME0001' });
    expect(payload).not.toHaveProperty('response_url');
    expect(payload).not.toHaveProperty('message');
  });

  test('view_submission values follow view.state.values[blockId][actionId]', async () => {
    const payload = sender.viewSubmissionPayload({
      userId: 'U0ALICE001',
      callbackId: 'request_patch',
      privateMetadata: '{"train":321}',
      values: {
        commits: { value: 'abc1234 def5678' },
        reason: { value: stateValue.staticSelect('s1_bug', 'S1 bug') },
        owner: { value: stateValue.usersSelect('U0BOB00001') },
      },
    });
    await sender.sendViewSubmission(payload);
    const sent = parsePayload(verifier.received[0]?.body ?? '');
    expect(verifier.received[0]?.verified).toBe(true);
    expect(sent).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0ALICE001' },
      view: {
        type: 'modal',
        callback_id: 'request_patch',
        private_metadata: '{"train":321}',
        state: {
          values: {
            commits: { value: { type: 'plain_text_input', value: 'abc1234 def5678' } },
            reason: {
              value: { type: 'static_select', selected_option: { value: 's1_bug', text: { type: 'plain_text', text: 'S1 bug' } } },
            },
            owner: { value: { type: 'users_select', selected_user: 'U0BOB00001' } },
          },
        },
      },
      response_urls: [],
    });

    const closed = sender.viewClosedPayload({ userId: 'U0ALICE001', callbackId: 'request_patch', viewId: 'V0MODAL001' });
    await sender.sendViewClosed(closed);
    expect(parsePayload(verifier.received[1]?.body ?? '')).toMatchObject({
      type: 'view_closed',
      is_cleared: false,
      view: { id: 'V0MODAL001' },
    });
  });

  test('events go as a JSON event_callback envelope with unique event ids', async () => {
    const event = sender.appHomeOpenedEvent({ userId: 'U0ALICE001', tab: 'home' });
    await sender.sendEvent(event);
    await sender.sendEvent(event, { eventId: 'Ev0FIXED001', retryNum: 2, retryReason: 'http_error' });
    await sender.sendEvent(event);

    expect(verifier.received.every((r) => r.verified && r.headers['content-type'] === 'application/json')).toBe(true);
    const envelopes = verifier.received.map((r): unknown => JSON.parse(r.body));
    expect(envelopes[0]).toMatchObject({
      type: 'event_callback',
      api_app_id: expect.any(String),
      team_id: expect.any(String),
      event_time: expect.any(Number),
      authorizations: [{ is_bot: true, is_enterprise_install: false }],
      event: { type: 'app_home_opened', user: 'U0ALICE001', channel: 'D0ALICE001', tab: 'home' },
    });
    expect(envelopes[0]).not.toHaveProperty('event.view');
    const ids = envelopes.map((e) => (typeof e === 'object' && e !== null && 'event_id' in e ? e.event_id : undefined));
    expect(ids[1]).toBe('Ev0FIXED001');
    expect(new Set(ids).size).toBe(3);
    expect(verifier.received[1]?.headers['x-slack-retry-num']).toBe('2');

    await sender.sendUrlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(JSON.parse(verifier.received[3]?.body ?? '')).toMatchObject({
      type: 'url_verification',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });
});

describe('both fakes with a real Bolt app over HTTP', () => {
  let slack: FakeSlack;
  let app: App;
  let sender: SlackRequestSender;

  beforeEach(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: 'U0ALICE001', name: 'alice' });
    slack.addChannel({ id: 'C0FXATEAM1', name: 'fxa-team' });
    app = new App({
      token: slack.botToken,
      signingSecret: SECRET,
      logger: silentLogger(),
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } },
    });
    app.command('/release', async ({ ack, respond, client, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `Train 321 is owned by <@${command.user_id}>` });
      await client.chat.postMessage({ channel: command.channel_id, text: 'status requested' });
    });
    app.action('pr_will_land', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Thanks: PR #1234 will land in train 321' });
    });
    app.view('request_patch', async ({ ack, view }) => {
      const justification = view.state.values.justification?.value?.value ?? '';
      if (justification.trim() === '') {
        await ack({ response_action: 'errors', errors: { justification: 'Say why this cannot wait' } });
      } else {
        await ack();
      }
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Train 321' } }] },
      });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    sender = createSlackRequestSender({
      eventsUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SECRET,
      responseUrlFor: slack.responseUrl,
      teamId: slack.teamId,
      apiAppId: slack.appId,
      botUserId: slack.botUserId,
    });
  });

  afterEach(async () => {
    await app.stop();
    await slack.close();
  });

  test('a slash command is acked, answered through the response_url and posts through the Web API', async () => {
    const response = await sender.sendSlashCommand({ text: 'status', userId: 'U0ALICE001', channelId: 'C0FXATEAM1' });
    expect(response.status).toBe(200);
    expect(response.body).toBe(''); // a bare ack()
    expect(() => response.json()).toThrow(/is not JSON \(HTTP 200\): ""/);

    const [answer] = await slack.waitForResponses(1, 2000);
    expect(answer?.body).toMatchObject({ response_type: 'ephemeral', text: 'Train 321 is owned by <@U0ALICE001>' });
    expect(slack.ephemeralsFor('U0ALICE001')).toHaveLength(1);
    await slack.waitForCalls('chat.postMessage', 1, 2000);
    expect(slack.messagesIn('C0FXATEAM1').map((m) => m.text)).toEqual(['status requested']);
    expect(slack.callsTo('auth.test').length).toBeGreaterThanOrEqual(1); // Bolt checks its token
  });

  test('a badly signed request is refused with 401 and reaches no listener', async () => {
    const response = await sender.sendSlashCommand({ text: 'status' }, { signingSecret: 'wrong' });
    expect(response.status).toBe(401);
    expect(slack.calls.filter((c) => c.method !== 'auth.test')).toHaveLength(0);
    expect(slack.responses).toHaveLength(0);
  });

  test('a button click replaces the original message through its response_url', async () => {
    const client = app.client;
    const posted = await client.chat.postMessage({ channel: 'D0ALICE001', text: 'Will PR #1234 land before the cutoff?' });
    const payload = sender.blockActionsPayload({
      userId: 'U0ALICE001',
      actionId: 'pr_will_land',
      value: '1234',
      channelId: 'D0ALICE001',
      messageTs: posted.ts ?? '',
    });
    expect((await sender.sendBlockActions(payload)).status).toBe(200);
    await slack.waitForResponses(1, 2000);
    expect(slack.messagesIn('D0ALICE001')).toEqual([
      expect.objectContaining({ ts: posted.ts, text: 'Thanks: PR #1234 will land in train 321' }),
    ]);
  });

  test('a view submission with an empty field is answered with response_action errors', async () => {
    const empty = await sender.sendViewSubmission(
      sender.viewSubmissionPayload({ userId: 'U0ALICE001', callbackId: 'request_patch', values: { justification: { value: '  ' } } }),
    );
    expect(empty.status).toBe(200);
    expect(empty.json()).toEqual({ response_action: 'errors', errors: { justification: 'Say why this cannot wait' } });

    const filled = await sender.sendViewSubmission(
      sender.viewSubmissionPayload({
        userId: 'U0ALICE001',
        callbackId: 'request_patch',
        values: { justification: { value: 'S1: login broken' } },
      }),
    );
    expect(filled.status).toBe(200);
    expect(filled.body).toBe('');
  });

  test('app_home_opened leads to views.publish for that user; url_verification echoes the challenge', async () => {
    const response = await sender.sendEvent(sender.appHomeOpenedEvent({ userId: 'U0ALICE001' }));
    expect(response.status).toBe(200);
    await slack.waitForCalls('views.publish', 1, 2000);
    expect(slack.publishedView('U0ALICE001')).toMatchObject({ type: 'home' });

    const verification = await sender.sendUrlVerification('challenge-123');
    expect(verification.json()).toEqual({ challenge: 'challenge-123' });
  });
});
