import { ErrorCode, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type WebClientOptions } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { silentLogger } from './silent-logger';

const fastRetries = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

let slack: FakeSlack;
let client: WebClient;

const makeClient = (token: string | undefined, extra: WebClientOptions = {}): WebClient =>
  new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: fastRetries, logger: silentLogger(), ...extra });

/** The Slack error code of a rejected WebClient call. */
async function platformError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) {
      expect(error.code).toBe(ErrorCode.PlatformError);
      return error.data.error;
    }
    throw error;
  }
  throw new Error('expected the call to fail with a platform error');
}

beforeEach(async () => {
  slack = await startFakeSlack();
  // Channels exist on the fake with the bot in them; a post anywhere else is refused, as on Slack.
  slack.addChannel({ id: 'C0FXATEAM1', name: 'fxa-team' });
  slack.addChannel({ id: 'C1', name: 'general' });
  client = makeClient(slack.botToken);
});

afterEach(async () => {
  await slack.close();
});

describe('fake Slack Web API with the real WebClient', () => {
  test('apiUrl is a loopback /api/ base URL and auth.test answers like Slack', async () => {
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      team_id: slack.teamId,
      user_id: slack.botUserId,
      bot_id: slack.botId,
      user: 'release-conductor',
    });
    expect(result.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
    expect(slack.callsTo('auth.test')[0]?.token).toBe('xoxb-test-token');
  });

  test('chat.postMessage returns increasing ts values and records decoded blocks', async () => {
    const blocks = [{ type: 'section', block_id: 'train', text: { type: 'mrkdwn', text: '*Train 321* cuts Wednesday' } }];
    const first = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'Train 321 cuts Wednesday', blocks });
    const second = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'reply', thread_ts: first.ts });

    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(second.ts && first.ts && second.ts > first.ts).toBe(true);
    expect(first.channel).toBe('C0FXATEAM1');
    expect(first.message).toMatchObject({ text: 'Train 321 cuts Wednesday', ts: first.ts, blocks, bot_id: slack.botId });
    expect(second.message?.thread_ts).toBe(first.ts);

    const [call] = slack.callsTo('chat.postMessage');
    // WebClient sends form-encoded args with `blocks` as a JSON string; the fake decodes it back.
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.text).toBe('Train 321 cuts Wednesday');
    expect(call?.args).not.toHaveProperty('token');
    expect(call?.response?.status).toBe(200);

    expect(slack.messagesIn('C0FXATEAM1').map((m) => m.text)).toEqual(['Train 321 cuts Wednesday', 'reply']);
    expect(slack.messagesIn('C0FXATEAM1', { threadTs: first.ts }).map((m) => m.ts)).toEqual([first.ts, second.ts]);
  });

  test('chat.postMessage without text or blocks fails with no_text', async () => {
    expect(await platformError(client.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    expect(slack.messages).toHaveLength(0);
  });

  test('chat.update applies to the stored message; an unknown ts fails with message_not_found', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'tagging train 321…' });
    const ts = posted.ts ?? '';
    const updated = await client.chat.update({ channel: 'C0FXATEAM1', ts, text: 'train 321 tagged' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0FXATEAM1', ts, text: 'train 321 tagged' });
    expect(slack.messagesIn('C0FXATEAM1')).toEqual([expect.objectContaining({ ts, text: 'train 321 tagged', edited: expect.any(Object) })]);

    expect(await platformError(client.chat.update({ channel: 'C0FXATEAM1', ts: '1600000000.000001', text: 'x' }))).toBe(
      'message_not_found',
    );
    // The WebClient does not retry platform errors: one call.
    expect(slack.callsTo('chat.update')).toHaveLength(2);
  });

  test('chat.delete removes the message', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    await client.chat.postMessage({ channel: 'C1', text: 'b' });
    await client.chat.delete({ channel: 'C1', ts: a.ts ?? '' });
    expect(slack.messagesIn('C1').map((m) => m.text)).toEqual(['b']);
    expect(await platformError(client.chat.delete({ channel: 'C1', ts: a.ts ?? '' }))).toBe('message_not_found');
  });

  test('a 429 with Retry-After: 1 makes WebClient wait about a second and retry; the message is posted once', async () => {
    slack.failNext('chat.postMessage', { rateLimited: { retryAfterSeconds: 1 } });
    const started = Date.now();
    const result = await client.chat.postMessage({ channel: 'C0FXATEAM1', text: 'cutoff in 2 hours' });
    const elapsed = Date.now() - started;

    expect(result.ok).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    const calls = slack.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.response).toEqual({ status: 429, body: { ok: false, error: 'ratelimited' } });
    expect(calls[1]?.response?.status).toBe(200);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(slack.messages).toHaveLength(1);
  });

  test('the 429 carries Retry-After and the documented body', async () => {
    slack.failNext('users.info', { rateLimited: { retryAfterSeconds: 7 } });
    const response = await fetch(`${slack.apiUrl}users.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=U1',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  test('with rejectRateLimitedCalls the WebClient throws WebAPIRateLimitedError instead of waiting', async () => {
    const impatient = makeClient(slack.botToken, { rejectRateLimitedCalls: true });
    slack.failNext('chat.postMessage', { rateLimited: { retryAfterSeconds: 30 } });
    const error: unknown = await impatient.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error instanceof WebAPIRateLimitedError && error.retryAfter).toBe(30);
    expect(slack.messages).toHaveLength(0);
  });

  test('rateLimitStorm rate-limits several calls in a row', async () => {
    slack.rateLimitStorm('chat.postMessage', { retryAfterSeconds: 0, count: 2 });
    expect(slack.pendingFaults('chat.postMessage')).toBe(2);
    await client.chat.postMessage({ channel: 'C1', text: 'after the storm' });
    expect(slack.callsTo('chat.postMessage').map((c) => c.response?.status)).toEqual([429, 429, 200]);
    expect(slack.pendingFaults('chat.postMessage')).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });

  test('error faults answer HTTP 200 ok:false, once per queued time', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' }, { times: 2 });
    expect(await platformError(client.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('channel_not_found');
    expect(await platformError(client.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('channel_not_found');
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(slack.messages).toHaveLength(1);
  });

  test('HTTP 503 is retried by the WebClient; persistent 500s surface as WebAPIHTTPError', async () => {
    slack.failNext('chat.postMessage', { httpStatus: 503 });
    await client.chat.postMessage({ channel: 'C1', text: 'retried' });
    expect(slack.callsTo('chat.postMessage').map((c) => c.response?.status)).toEqual([503, 200]);

    slack.failNext('users.info', { httpStatus: 500 }, { times: 3 });
    const error: unknown = await client.users.info({ user: slack.botUserId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect(error instanceof WebAPIHTTPError && error.statusCode).toBe(500);
    expect(slack.callsTo('users.info')).toHaveLength(3); // 1 + retries: 2
  });

  test('a delay fault holds the answer, and waitForCalls resolves on arrival', async () => {
    slack.failNext('chat.postMessage', { delayMs: 300 });
    const started = Date.now();
    const pending = client.chat.postMessage({ channel: 'C1', text: 'slow' });
    const calls = await slack.waitForCalls('chat.postMessage', 1, 2000);
    expect(calls).toHaveLength(1);
    expect(slack.messages).toHaveLength(0); // state changes after the delay
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(slack.messages).toHaveLength(1);
  });

  test('waitForCalls rejects with a clear message on timeout', async () => {
    await client.auth.test();
    await expect(slack.waitForCalls('chat.postMessage', 1, 50)).rejects.toThrow(
      'timed out after 50 ms waiting for 1 call(s) to chat.postMessage; got 0 (all calls: auth.test)',
    );
  });

  test('users.info, users.lookupByEmail and usergroups.users.list', async () => {
    const july = new Date('2025-07-01T12:00:00Z');
    await slack.close();
    slack = await startFakeSlack({ now: () => july });
    client = makeClient(slack.botToken);
    slack.addUser({ id: 'U0ALICE001', name: 'alice', realName: 'Alice Liddell', email: 'alice@example.com' });
    slack.addUser({ id: 'U0BOB00001', name: 'bob', email: 'bob@example.com', tz: 'America/New_York' });
    slack.addUsergroup('S0FXAOWNRS', ['U0ALICE001', 'U0BOB00001'], { handle: 'fxa-release-owners' });

    const alice = await client.users.info({ user: 'U0ALICE001' });
    expect(alice.user).toMatchObject({
      id: 'U0ALICE001',
      name: 'alice',
      real_name: 'Alice Liddell',
      tz: 'America/Los_Angeles',
      tz_label: 'Pacific Daylight Time',
      tz_offset: -25200,
      profile: { email: 'alice@example.com', display_name: 'alice', real_name: 'Alice Liddell' },
      is_bot: false,
    });
    const bob = await client.users.lookupByEmail({ email: 'BOB@example.com' });
    expect(bob.user).toMatchObject({ id: 'U0BOB00001', tz: 'America/New_York', tz_offset: -14400 });

    expect(await platformError(client.users.info({ user: 'U0NOBODY01' }))).toBe('user_not_found');
    expect(await platformError(client.users.lookupByEmail({ email: 'nobody@example.com' }))).toBe('users_not_found');

    const group = await client.usergroups.users.list({ usergroup: 'S0FXAOWNRS' });
    expect(group.users).toEqual(['U0ALICE001', 'U0BOB00001']);
    expect(await platformError(client.usergroups.users.list({ usergroup: 'S0MISSING1' }))).toBe('no_such_subteam');
    const groups = await client.usergroups.list({ include_users: true });
    expect(groups.usergroups?.[0]).toMatchObject({ id: 'S0FXAOWNRS', handle: 'fxa-release-owners', user_count: 2 });
  });

  test('conversations.open gives a stable D channel per user; posting to a user ID lands there', async () => {
    slack.addUser({ id: 'U0ALICE001', name: 'alice' });
    const first = await client.conversations.open({ users: 'U0ALICE001' });
    const again = await client.conversations.open({ users: 'U0ALICE001' });
    expect(first.channel?.id).toMatch(/^D/);
    expect(again.channel?.id).toBe(first.channel?.id);
    expect(slack.dmChannelFor('U0ALICE001')).toBe(first.channel?.id);
    expect(await platformError(client.conversations.open({ users: 'U0NOBODY01' }))).toBe('user_not_found');

    const posted = await client.chat.postMessage({ channel: 'U0ALICE001', text: 'Will PR #12 land?' });
    expect(posted.channel).toBe(first.channel?.id);
    expect(slack.messagesIn(first.channel?.id ?? '')).toHaveLength(1);
  });

  test('chat.postEphemeral returns message_ts and is kept per user', async () => {
    slack.addUser({ id: 'U0ALICE001', name: 'alice' });
    const result = await client.chat.postEphemeral({ channel: 'C1', user: 'U0ALICE001', text: 'only you can see this' });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(slack.ephemeralsFor('U0ALICE001')).toEqual([
      expect.objectContaining({ channel: 'C1', text: 'only you can see this', message_ts: result.message_ts, via: 'chat.postEphemeral' }),
    ]);
    expect(slack.messages).toHaveLength(0);
  });

  test('views.open, views.update and views.publish', async () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'request_patch',
      private_metadata: '{"train":321}',
      title: { type: 'plain_text' as const, text: 'Request a patch' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Which train?' } }],
    };
    const opened = await client.views.open({ trigger_id: '1337.42.1', view: modal });
    const viewId = opened.view?.id ?? '';
    expect(viewId).toMatch(/^V[A-Z0-9]+$/);
    expect(opened.view).toMatchObject({
      callback_id: 'request_patch',
      private_metadata: '{"train":321}',
      root_view_id: viewId,
      state: { values: {} },
    });
    expect(slack.callsTo('views.open')[0]?.args.view).toEqual(modal);

    expect(await platformError(client.views.open({ trigger_id: 'expired', view: modal }))).toBe('expired_trigger_id');
    expect(await platformError(client.views.open({ trigger_id: '1337.42.1', view: modal }))).toBe('exchanged_trigger_id');

    const hash = opened.view?.hash ?? '';
    const updated = await client.views.update({ view_id: viewId, hash, view: { ...modal, external_id: 'patch-req-1' } });
    expect(updated.view?.id).toBe(viewId);
    expect(await platformError(client.views.update({ view_id: viewId, hash, view: modal }))).toBe('hash_conflict');
    await client.views.update({ external_id: 'patch-req-1', view: { ...modal, callback_id: 'request_patch_step2' } });
    expect(slack.modals.map((v) => v.callback_id)).toEqual(['request_patch_step2']);
    expect(await platformError(client.views.update({ view_id: 'V0NOPE0001', view: modal }))).toBe('not_found');

    const home = { type: 'home' as const, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Train 321' } }] };
    const published = await client.views.publish({ user_id: 'U0ALICE001', view: home });
    const republished = await client.views.publish({ user_id: 'U0ALICE001', view: home });
    expect(republished.view?.id).toBe(published.view?.id);
    expect(slack.publishedView('U0ALICE001')).toMatchObject({ type: 'home', blocks: home.blocks });
    expect([...slack.publishedViews.keys()]).toEqual(['U0ALICE001']);
  });

  test('a wrong token is invalid_auth, no token is not_authed, an unknown method is unknown_method', async () => {
    expect(await platformError(makeClient('xoxb-wrong').chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('invalid_auth');
    expect(await platformError(makeClient(undefined).auth.test())).toBe('not_authed');
    expect(await platformError(client.apiCall('chat.sendTelepathically', { channel: 'C1' }))).toBe('unknown_method');
    expect(slack.calls.map((c) => c.token)).toEqual(['xoxb-wrong', undefined, 'xoxb-test-token']);
    expect(slack.messages).toHaveLength(0);
  });

  test('application/json bodies and a token in the form body are accepted too', async () => {
    const json = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: 'C1' });
    const form = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${slack.botToken}`,
    });
    expect(await form.json()).toMatchObject({ ok: true });
    expect(slack.callsTo('chat.postMessage')[0]?.args.blocks).toEqual([{ type: 'divider' }]);
  });

  test('response URLs record bodies and act on the linked message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Will PR #12 land?' });
    const url = slack.responseUrl('act-1', { channel: 'C1', ts: posted.ts ?? '', user: 'U0ALICE001' });
    expect(url).toBe(`${slack.baseUrl}/response/act-1`);

    const waiting = slack.waitForResponses(2, 2000);
    const post = (body: unknown): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ replace_original: true, text: 'Thanks, PR #12 will land' })).status).toBe(200);
    await post({ response_type: 'ephemeral', text: 'noted' });
    const responses = await waiting;

    expect(responses.map((r) => r.id)).toEqual(['act-1', 'act-1']);
    expect(responses[0]?.body).toEqual({ replace_original: true, text: 'Thanks, PR #12 will land' });
    expect(slack.messagesIn('C1')).toEqual([expect.objectContaining({ ts: posted.ts, text: 'Thanks, PR #12 will land' })]);
    expect(slack.ephemeralsFor('U0ALICE001')).toEqual([expect.objectContaining({ text: 'noted', via: 'response_url' })]);

    await post({ delete_original: true });
    expect(slack.messagesIn('C1')).toHaveLength(0);
    await expect(slack.waitForResponses(9, 30)).rejects.toThrow('waiting for 9 response_url POST(s); got 3');
  });

  test('reset forgets calls, messages and faults but keeps users', async () => {
    slack.addUser({ id: 'U0ALICE001', name: 'alice' });
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    slack.failNext('chat.postMessage', { error: 'internal_error' });
    slack.reset();
    expect(slack.calls).toHaveLength(0);
    expect(slack.messages).toHaveLength(0);
    expect(slack.pendingFaults('chat.postMessage')).toBe(0);
    expect((await client.users.info({ user: 'U0ALICE001' })).user?.name).toBe('alice');
  });

  test('close rejects pending waits', async () => {
    const waiting = slack.waitForCalls('chat.postMessage', 1, 5000);
    await slack.close();
    await expect(waiting).rejects.toThrow('closed');
  });
});
