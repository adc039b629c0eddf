/**
 * The load generator's thread. It sends the signed requests and times them on
 * its own event loop, so that what the bot does right after ack() (in the
 * main thread) does not delay the client's reading of the response: the
 * latency is the time until the response reaches the client, as Slack sees it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSenders, runBlock } from './load';
import type { LoadBlockRequest, LoadWorkerData, LoadWorkerReply } from './load-protocol';

const data = workerData as LoadWorkerData;
const port = parentPort;
if (!port) throw new Error('bench/load-worker must run as a worker thread');

const senderFor = createSenders(data);

port.on('message', (request: LoadBlockRequest) => {
  runBlock(senderFor, data, request).then(
    (result) => port.postMessage({ id: request.id, ok: true, result } satisfies LoadWorkerReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies LoadWorkerReply),
  );
});
