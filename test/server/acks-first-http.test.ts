import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { harnessForAll } from '../support/harness';

/** A request to /slack/events whose body is still arriving: the bot has it open until the socket ends. */
async function openHalfSentRequest(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `POST /slack/events HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ncommand=%2F`,
  );
  return socket;
}

describe('acks first: answers wait until the requests being received have been acked', () => {
  const h = harnessForAll();

  test('a command is acked at once, and its answer follows once no request is open any more', async () => {
    const pending = await openHalfSentRequest(h.bot.url);
    try {
      await sleep(50);
      const ack = await h.sender.sendSlashCommand({ text: 'help' });
      expect(ack.status).toBe(200);
      // The answer (through response_url) waits while another request is still being received…
      await sleep(300);
      expect(h.slack.responses).toHaveLength(0);
    } finally {
      pending.destroy();
    }
    // …and follows as soon as it is over.
    await h.slack.waitForResponses(1, 3000);
    expect(String(h.slack.responses[0]?.body.text)).toContain('`/release status`');
  });
});
