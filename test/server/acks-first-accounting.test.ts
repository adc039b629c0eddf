import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcksFirst } from '../../src/server/acks-first';
import { createHttpServer, listen, type RunningHttpServer } from '../../src/server/http-server';
import { readLimitedBody } from '../../src/server/read-body';
import { silentLogger } from '../support/database';

/** Resolves once `check` holds, looking at every turn of the event loop (the test's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(1);
}

describe('which requests AcksFirst counts: from the moment the body is received until the response is sent', () => {
  const acksFirst = new AcksFirst();
  const held: ServerResponse[] = [];
  let received = 0;
  let server: RunningHttpServer;

  beforeAll(async () => {
    server = await listen(
      createHttpServer({
        logger: silentLogger,
        isReady: async () => ({ ready: true }),
        acksFirst,
        // Reads the body as /slack/events does, then holds the answer until the test lets it go.
        routes: {
          '/hold': async (req: IncomingMessage, res: ServerResponse) => {
            await readLimitedBody(req, 1024);
            received += 1;
            held.push(res);
          },
        },
      }),
      0,
      '127.0.0.1',
    );
  });
  afterAll(async () => {
    for (const res of held) res.end();
    await server.close();
  });

  test('a body still arriving is not counted; once it is in, the request counts until it is answered', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab');
    // The headers are in and the route is reading the body, which stops half-way: nothing to ack yet.
    await sleep(50);
    expect(acksFirst.openRequests).toBe(0);
    socket.write('cd');
    await until(() => received === 1);
    expect(acksFirst.openRequests).toBe(1);
    held.shift()?.end('ok');
    await answered;
    await until(() => acksFirst.openRequests === 0);
    socket.destroy();
  });

  test('a burst of whole requests is counted as it is read, before any of them is answered', async () => {
    const sockets = await Promise.all(
      [1, 2, 3].map(
        (n) =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(server.port, '127.0.0.1', () => {
              socket.write(`POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n${n}`);
              resolve(socket);
            });
          }),
      ),
    );
    await until(() => received === 4);
    expect(acksFirst.openRequests).toBe(3);
    for (const res of held.splice(0)) res.end('ok');
    await until(() => acksFirst.openRequests === 0);
    for (const socket of sockets) socket.destroy();
  });
});
