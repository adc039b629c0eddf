/**
 * Unsigned bodies are neither buffered nor parsed (issue 13, request limits):
 * a request without signature headers, or dated outside the 5-minute window,
 * is refused with 401 before its body is read (a client that sends headers
 * and never its body still gets its answer at once); a signed-looking body
 * whose signature is wrong is refused with 401 before anything parses it (a
 * malformed JSON with a bad signature is a 401, not a parse error's 400).
 * The same for `/github/webhooks`. Slack's SSL check, the one unsigned request
 * Slack sends, is still answered.
 */
import { request } from 'node:http';
import { signWebhook } from '../fakes/github-webhooks';
import { startHarness, type Harness } from '../support/harness';

const WEBHOOK_SECRET = 'a-webhook-secret-for-tests';

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

describe('the HTTP edge checks signatures before it reads or parses a body', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.slack.responses.length = 0;
  });

  async function stillAnswers(): Promise<void> {
    h.slack.responses.length = 0;
    const reply = await h.sender.sendSlashCommand({ text: 'help' });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(1, 5000);
    expect(JSON.stringify(h.slack.responses[0]?.body)).toContain('`/release status`');
  }

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
