/**
 * What the HTTP edge refuses before any work is done (the hardening issue's
 * reproductions 2, 3 and 4): signed bodies that are not a payload, bodies over
 * the limit, and timestamps outside Slack's five-minute window either way.
 * After each refusal the bot still answers a real command.
 *
 * And unsigned bodies are neither buffered nor parsed: a request without
 * signature headers, or dated outside the window, is refused with 401 before
 * its body is read (a client that sends headers and never its body still gets
 * its answer at once); a body whose signature is wrong is refused with 401
 * before anything parses it (a malformed JSON with a bad signature is a 401,
 * not a parse error's 400). The same for `/github/webhooks`. Slack's SSL
 * check, the one unsigned request Slack sends, is still answered.
 */
import { request } from 'node:http';
import { DEFAULT_SLACK_BODY_LIMIT, SSL_CHECK_MAX_BYTES } from '../../src/slack/guard-requests';
import { MAX_BODY_BYTES } from '../../src/github/webhooks';
import { signWebhook } from '../fakes/github-webhooks';
import { startHarness, type Harness } from '../support/harness';

const WEBHOOK_SECRET = 'a-webhook-secret-for-tests';

/** Sends headers announcing `announcedBytes` and only the first kilobyte of the body; resolves with the status. */
function startOversizedPost(url: string, announcedBytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(announcedBytes), ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write(`{"a":"${'x'.repeat(1024)}`);
  });
}

/**
 * Signature headers of the right shape, dated now: what an oversized request needs to be read at all (without them it
 * is refused with 401 before its body is read: request-limits-signature.test.ts). The signature cannot be checked
 * before the whole body is in, so the size limit is what stops it.
 */
function signatureShaped(): Record<string, string> {
  return { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
}

/** Streams `totalBytes` without announcing a length (chunked); resolves with the status the bot answered. */
function streamChunked(url: string, totalBytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/**
 * Sends the request's headers (announcing a 2 kB body) and never its body; resolves with the status and how long
 * the answer took, or `null` if there is none within `waitMs`.
 */
function headersOnly(url: string, headers: Record<string, string>, waitMs = 3_000): Promise<{ status: number; ms: number } | null> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-length': '2048', ...headers } });
    const timer = setTimeout(() => {
      resolve(null);
      req.destroy();
    }, waitMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
      req.destroy();
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.flushHeaders();
  });
}

describe('the HTTP edge refuses what must not reach the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.slack.reset();
    h.slack.responses.length = 0;
  });

  async function stillAnswers(): Promise<void> {
    h.slack.responses.length = 0;
    const reply = await h.sender.sendSlashCommand({ text: 'help' });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(1, 5000);
    expect(JSON.stringify(h.slack.responses[0]?.body)).toContain('`/release status`');
  }

  test('a signed form payload=null is refused with 400, and the process lives on', async () => {
    const reply = await h.sender.sendRaw('payload=null', 'application/x-www-form-urlencoded');
    expect(reply.status).toBe(400);
    await stillAnswers();
  });

  test('a slash command whose text says payload=null is a command (its fields are URL-encoded), and a payload field beside command is still read', async () => {
    const reply = await h.sender.sendSlashCommand({ text: 'payload=null&payload=null' });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(1, 5000);
    expect(JSON.stringify(h.slack.responses[0]?.body)).toContain("I don't know");
    const mixed = await h.sender.sendRaw('command=%2Frelease&text=help&payload=null', 'application/x-www-form-urlencoded');
    expect(mixed.status).toBe(400);
    await stillAnswers();
  });

  test('a signed JSON body null, a number or an array is refused with 400', async () => {
    for (const body of ['null', '42', '[]', '"text"']) {
      const reply = await h.sender.sendRaw(body, 'application/json');
      expect({ body, status: reply.status }).toEqual({ body, status: 400 });
    }
    await stillAnswers();
  });

  test('a body announced over the limit is refused with 413 before it is read', async () => {
    const status = await startOversizedPost(`${h.bot.url}/slack/events`, DEFAULT_SLACK_BODY_LIMIT + 1, signatureShaped());
    expect(status).toBe(413);
    await stillAnswers();
  });

  test('a chunked body that grows past the limit is refused with 413 while it is sent', async () => {
    const status = await streamChunked(`${h.bot.url}/slack/events`, 4 * DEFAULT_SLACK_BODY_LIMIT, signatureShaped());
    expect(status).toBe(413);
    await stillAnswers();
  });

  test('a GitHub webhook over its limit is refused with 413 too', async () => {
    const status = await startOversizedPost(`${h.bot.url}/github/webhooks`, MAX_BODY_BYTES + 1, {
      'x-github-event': 'check_run',
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(status).toBe(413);
  });

  test('correctly signed requests dated outside five minutes, in the future as in the past, do nothing', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const offset of [10 * 60, 365 * 24 * 3600, -10 * 60]) {
      const reply = await h.sender.sendSlashCommand({ text: 'help' }, { timestampSeconds: nowSeconds + offset });
      expect({ offset, status: reply.status }).toEqual({ offset, status: 401 });
    }
    // Nothing was answered for them.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.slack.responses).toHaveLength(0);
    // Inside the window (clocks a little apart) is fine.
    const close = await h.sender.sendSlashCommand({ text: 'help' }, { timestampSeconds: nowSeconds + 4 * 60 });
    expect(close.status).toBe(200);
    await h.slack.waitForResponses(1, 5000);
  });

  test('Slack: a malformed JSON body with a wrong signature is refused as unsigned (401), never parsed (400)', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const wrong = h.sender.signRequest('{"type": "block_actions"', nowSeconds, 'not-the-signing-secret');
    for (const body of ['{"type": "block_actions"', 'null', 'payload=%7Bnot-json']) {
      const contentType = body.startsWith('payload=') ? 'application/x-www-form-urlencoded' : 'application/json';
      const reply = await h.sender.sendRaw(body, contentType, { signature: wrong });
      expect({ body, status: reply.status }).toEqual({ body, status: 401 });
    }
    // Rightly signed, the same malformed body is a 400: the signature is what decides first.
    expect((await h.sender.sendRaw('{"type": "block_actions"', 'application/json')).status).toBe(400);
    await stillAnswers();
  });

  test('Slack: headers without a signature, the body never sent: 401 at once', async () => {
    const answer = await headersOnly(`${h.bot.url}/slack/events`, {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(answer?.status).toBe(401);
    expect(answer?.ms).toBeLessThan(2_000);
    await stillAnswers();
  });

  test('Slack: a signature dated outside the window, the body never sent: 401 at once', async () => {
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    const answer = await headersOnly(`${h.bot.url}/slack/events`, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(stale),
      'x-slack-signature': `v0=${'0'.repeat(64)}`,
    });
    expect(answer?.status).toBe(401);
    expect(answer?.ms).toBeLessThan(2_000);
  });

  test("Slack's SSL check, unsigned, is still answered 200; any other unsigned form body is refused", async () => {
    const post = (body: string) =>
      fetch(`${h.bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const check = await post('ssl_check=1&token=verification-token-0123');
    expect(check.status).toBe(200);
    const unsigned = await post('command=%2Frelease&text=help&user_id=U0NOBODY01');
    expect(unsigned.status).toBe(401);
    await stillAnswers();
    expect(h.slack.responses).toHaveLength(1);
  });

  test('an unsigned SSL check that smuggles a payload is answered 200 and nothing else: the payload never runs', async () => {
    h.slack.responses.length = 0;
    const forged = JSON.stringify({
      command: '/release',
      text: 'help',
      user_id: 'U0EVIL0001',
      trigger_id: '1.2',
      response_url: h.slack.responseUrl('forged'),
    });
    const body = `ssl_check=1&payload=${encodeURIComponent(forged)}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SSL_CHECK_MAX_BYTES);
    const check = await fetch(`${h.bot.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(check.status).toBe(200);
    expect(await check.text()).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.slack.responsesTo('forged')).toEqual([]);
    await stillAnswers();
  });

  test('a signed form whose field name is percent-encoded (%70ayload=null, payload=null once decoded) is refused with 400, and the process lives on', async () => {
    for (const body of ['%70ayload=null', 'command=%2Frelease&p%61yload=null']) {
      const reply = await h.sender.sendRaw(body, 'application/x-www-form-urlencoded');
      expect({ body, status: reply.status }).toEqual({ body, status: 400 });
    }
    await stillAnswers();
  });

  test('GitHub: a delivery without a signature, the body never sent: 401 at once', async () => {
    const answer = await headersOnly(`${h.bot.url}/github/webhooks`, {
      'content-type': 'application/json',
      'x-github-event': 'check_run',
      'x-github-delivery': 'delivery-headers-only',
    });
    expect(answer?.status).toBe(401);
    expect(answer?.ms).toBeLessThan(2_000);
  });

  test('GitHub: a malformed body with a wrong signature is a 401, the same rightly signed a 400', async () => {
    const body = '{"action": "completed"';
    const post = (signature: string) =>
      fetch(`${h.bot.url}/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'check_run', 'x-hub-signature-256': signature },
        body,
      });
    expect((await post(signWebhook('not-the-webhook-secret-0000', body))).status).toBe(401);
    expect((await post(signWebhook(WEBHOOK_SECRET, body))).status).toBe(400);
  });
});
