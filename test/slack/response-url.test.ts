/**
 * Answers to response_urls (src/slack/response-url.ts): over kept-alive
 * connections, read to their end, and a refusal's words kept. Through the
 * real bot and the fake Slack, then against small loopback servers for what
 * the fake never does (hang, answer 204).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { CallResult } from '../../src/metrics';
import { answerAsResponse, MAX_CONCURRENT_POSTS, postToResponseUrl, withResponseUrlPosts } from '../../src/slack/response-url';
import { observedClientOptions } from '../../src/slack/web-api-metrics';
import { closeServer, listenOnLoopback } from '../support/http';
import { harnessForAll } from '../support/harness';

describe('the bot answers response_urls over connections it keeps', () => {
  const h = harnessForAll();
  beforeEach(() => {
    h.slack.reset();
    h.slack.responses.length = 0;
  });

  test('twenty commands in a row are answered over one or two connections, not one each', async () => {
    for (let i = 0; i < 20; i += 1) {
      expect((await h.sender.sendSlashCommand({ text: 'help' })).status).toBe(200);
      await h.slack.waitForResponses(i + 1, 5000);
    }
    const connections = new Set(h.slack.responses.map((response) => response.connection));
    expect(h.slack.responses).toHaveLength(20);
    expect(connections.size).toBeLessThanOrEqual(2);
    expect(JSON.stringify(h.slack.responses[19]?.body)).toContain('`/release status`');
  });

  test('an answer Slack refuses (a used-up response_url) fails with its status, and the next command is answered', async () => {
    const url = h.slack.responseUrl('used-up');
    for (let i = 0; i < 5; i += 1) expect((await postToResponseUrl({ url, body: '{"text":"hi"}' })).status).toBe(200);
    const refused = await postToResponseUrl({ url, body: '{"text":"a sixth time"}' });
    expect(refused).toEqual({ status: 404, statusText: 'Not Found', errorBody: expect.stringContaining('used_url') });
    const response = answerAsResponse(refused);
    expect(response.ok).toBe(false);
    expect(await response.text()).toContain('used_url');
    await h.sender.sendSlashCommand({ text: 'help' });
    await h.slack.waitForResponses(6, 5000);
  });
});

describe('postToResponseUrl', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await closeServer(server);
    server = undefined;
  });

  test('a server that never answers fails the post after the timeout, naming it', async () => {
    server = createServer(() => undefined);
    const url = await listenOnLoopback(server);
    const started = Date.now();
    await expect(postToResponseUrl({ url: `${url}/response/x`, body: '{}', timeoutMs: 300 })).rejects.toThrow(
      'response_url did not answer within 300 ms',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('sends the JSON as it is, with its length and type, and a 204 becomes an ok Response without a body', async () => {
    const seen: Array<{ method?: string; type?: string; length?: string; body: string }> = [];
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body });
        res.writeHead(204).end();
      });
    });
    const url = await listenOnLoopback(server);
    const body = JSON.stringify({ text: 'déjà vu ✅' });
    const answer = await postToResponseUrl({ url: `${url}/response/x`, body });
    expect(seen).toEqual([{ method: 'POST', type: 'application/json; charset=utf-8', length: String(Buffer.byteLength(body)), body }]);
    const response = answerAsResponse(answer);
    expect(response.ok).toBe(true);
    expect(response.status).toBe(204);
  });

  test('with the metrics observing (as the bot runs), a response_url that answers 204 is a success, counted ok', async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    const url = await listenOnLoopback(server);
    const counted: Array<[string, CallResult]> = [];
    const { fetch: observed } = observedClientOptions(
      { slackCall: (method, result) => void counted.push([method, result]), slackRetry: () => undefined },
      { retries: 0 },
      withResponseUrlPosts(globalThis.fetch, `${url}/api/`),
    );
    const response = await observed(`${url}/response/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect([response.ok, response.status]).toEqual([true, 204]);
    expect(counted).toEqual([['other', 'ok']]);
  });

  test('a post on a kept-alive socket the server closed meanwhile is sent again on a new connection, once', async () => {
    // A raw server: it answers the first request of a connection and keeps it open, and resets a connection at its
    // second request, as a server does that closed an idle connection the client was about to reuse.
    const requestsOn = new Map<Socket, number>();
    let connections = 0;
    const tcp: TcpServer = createTcpServer((socket) => {
      connections += 1;
      requestsOn.set(socket, 0);
      socket.on('data', (chunk) => {
        if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
        const seen = (requestsOn.get(socket) ?? 0) + 1;
        requestsOn.set(socket, seen);
        if (seen === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n');
        else socket.resetAndDestroy();
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const address = tcp.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}/response/x`;
    try {
      expect((await postToResponseUrl({ url, body: '{"n":1}' })).status).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect((await postToResponseUrl({ url, body: '{"n":2}' })).status).toBe(200);
      expect(connections).toBe(2);
      expect([...requestsOn.values()]).toEqual([2, 1]);
    } finally {
      for (const socket of requestsOn.keys()) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  test('a burst beyond the posts sent at once waits its turn, and the wait does not count against the timeout: every post arrives', async () => {
    let open = 0;
    let mostOpen = 0;
    server = createServer((req, res) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      req.resume();
      setTimeout(() => {
        open -= 1;
        res.writeHead(200).end('ok');
      }, 100);
    });
    const url = await listenOnLoopback(server);
    // Fifteen rounds of 100 ms each: the last posts wait 1.4 s for their turn, past a 1 s timeout ten times what a post takes.
    const count = MAX_CONCURRENT_POSTS * 15;
    const answers = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => postToResponseUrl({ url: `${url}/response/${i}`, body: '{}', timeoutMs: 1_000 })),
    );
    expect(answers.filter((answer) => answer.status === 'fulfilled' && answer.value.status === 200)).toHaveLength(count);
    expect(mostOpen).toBeLessThanOrEqual(MAX_CONCURRENT_POSTS);
  });

  test('refuses a URL that is not http(s) before sending anything', async () => {
    await expect(postToResponseUrl({ url: 'file:///etc/passwd', body: '{}' })).rejects.toThrow('a response_url must be http(s), not file:');
  });
});
