import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { harnessForAll } from '../support/harness';

/** The order in which things happened, as the test saw them. */
type Happened = 'answered' | 'slow request ended';

/**
 * A client that sends its request to /slack/events byte by byte, `gapMs` apart (headers, then a body of
 * `bodyBytes`), until it has sent everything or `stop()` is called; `ended` resolves when the bot has
 * answered it or the connection has closed.
 */
function startSlowClient(url: string, options: { bodyBytes: number; gapMs: number }) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  const body = `command=%2Frelease&text=${'x'.repeat(Math.max(0, options.bodyBytes - 24))}`.slice(0, options.bodyBytes);
  const head = `POST /slack/events HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
  let stopped = false;
  let bodyBytesSent = 0;
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString('utf8');
  });
  const ended = new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.once('close', () => resolve());
  });
  const sending = (async () => {
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const byte of head) {
      if (stopped) return;
      socket.write(byte);
      await sleep(options.gapMs);
    }
    for (const byte of body) {
      if (stopped) return;
      socket.write(byte);
      bodyBytesSent += 1;
      await sleep(options.gapMs);
    }
  })();
  return {
    ended,
    get bodyBytesSent() {
      return bodyBytesSent;
    },
    get answer() {
      return answer;
    },
    async stop() {
      stopped = true;
      await sending;
      socket.destroy();
    },
  };
}

describe('acks first: a slow client does not hold back the answers to requests the bot has acked', () => {
  // No time limit on how long follow-up work may wait for the requests being acked: whatever the bot waits for, it waits for it in full,
  // so the order of what happens shows what it waits for.
  const h = harnessForAll({ acksFirst: { maxDeferMs: 120_000 } });

  test('with a request trickling in byte by byte, an acked /release help is answered while that request is still arriving', async () => {
    const slow = startSlowClient(h.bot.url, { bodyBytes: 200, gapMs: 15 });
    const happened: Happened[] = [];
    void slow.ended.then(() => happened.push('slow request ended'));
    try {
      // The slow request's headers are in and its body is arriving: the bot has it open.
      while (slow.bodyBytesSent < 5) await sleep(10);
      const ack = await h.sender.sendSlashCommand({ text: 'help' });
      expect(ack.status).toBe(200);
      const answered = h.slack.waitForResponses(1, 30_000).then(() => happened.push('answered'));
      await Promise.race([answered, slow.ended]);
      // The answer came first: the slow client was still sending, and the bot had not answered it.
      expect(happened).toEqual(['answered']);
      expect(slow.answer).toBe('');
      expect(slow.bodyBytesSent).toBeLessThan(200);
      expect(String(h.slack.responses[0]?.body.text)).toContain('`/release status`');
    } finally {
      await slow.stop();
    }
  });
});
