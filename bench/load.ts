/**
 * The load generator: signed slash commands, a fixed number with at most N in
 * flight, timed on the client side; by default on its own thread.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createSlackRequestSender, type SlackRequestSender } from '../test/fakes/slack-client';
import type { AppUnderTest, BenchContext, ReplyRecord } from './context';
import type { LoadBlockRequest, LoadBlockResult, LoadWorkerData, LoadWorkerReply } from './load-protocol';

/** Placeholder for the response id in `LoadWorkerData.responseUrlTemplate`. */
export const RESPONSE_ID = 'RESPONSE_ID';

/** Runs `task` `count` times with at most `concurrency` at once; resolves with the results in start order. */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<number>): Promise<number[]> {
  const results = new Array<number>(count);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < count) {
      const index = nextIndex;
      nextIndex += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Request senders by events URL, made on first use. */
export function createSenders(data: LoadWorkerData): (eventsUrl: string) => SlackRequestSender {
  const senders = new Map<string, SlackRequestSender>();
  return (eventsUrl) => {
    let sender = senders.get(eventsUrl);
    if (!sender) {
      sender = createSlackRequestSender({ eventsUrl, signingSecret: data.signingSecret, teamId: data.teamId, apiAppId: data.apiAppId });
      senders.set(eventsUrl, sender);
    }
    return sender;
  };
}

/** Sends one block of `/release <text>` to one app; every request has its own trigger_id and connection. */
export async function runBlock(
  senderFor: (eventsUrl: string) => SlackRequestSender,
  data: LoadWorkerData,
  request: Omit<LoadBlockRequest, 'id'>,
): Promise<LoadBlockResult> {
  const sender = senderFor(request.eventsUrl);
  const sent: LoadBlockResult['sent'] = [];
  const latencies = await runPool(request.count, request.concurrency, async (index) => {
    const sequence = request.firstSequence + index;
    const responseId = `${request.app}-${sequence}`;
    const fields = sender.slashCommandFields({
      text: request.text,
      userId: 'U0BENCH001',
      // Unique per request across the run and across runs (the bot keeps handled trigger_ids).
      triggerId: `${data.runId}.${sequence}`,
      responseUrl: data.responseUrlTemplate.replace(RESPONSE_ID, encodeURIComponent(responseId)),
    });
    sent.push({ responseId, sentAt: Date.now() });
    const response = await sender.sendSlashCommandFields(fields);
    if (response.status !== 200) {
      throw new Error(`${request.app} answered /release ${request.text} with HTTP ${response.status}: ${response.body.slice(0, 200)}`);
    }
    return response.elapsedMs;
  });
  return { latencies, sent };
}

export interface LoadGenerator {
  /** 'thread': its own event loop (default); 'inline': the bot's event loop. */
  readonly mode: 'thread' | 'inline';
  run(block: Omit<LoadBlockRequest, 'id'>): Promise<LoadBlockResult>;
  close(): Promise<void>;
}

/** The load generator on the benchmark's own event loop (shares it with the bot and the fakes). */
export function startInlineLoadGenerator(data: LoadWorkerData): LoadGenerator {
  const senderFor = createSenders(data);
  return { mode: 'inline', run: (block) => runBlock(senderFor, data, block), close: async () => undefined };
}

/** The load generator on its own thread (the compiled bench/load-worker.js beside this file). */
export function startThreadLoadGenerator(data: LoadWorkerData): Promise<LoadGenerator> {
  const worker = new Worker(path.join(__dirname, 'load-worker.js'), { workerData: data });
  const pending = new Map<number, { resolve: (result: LoadBlockResult) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error): void => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: LoadWorkerReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`load generator: ${reply.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`load generator thread exited (code ${code})`)));
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('online', () => {
      worker.off('error', reject);
      resolve({
        mode: 'thread',
        run(block) {
          if (failure) return Promise.reject(failure);
          nextId += 1;
          const id = nextId;
          return new Promise<LoadBlockResult>((resolveBlock, rejectBlock) => {
            pending.set(id, { resolve: resolveBlock, reject: rejectBlock });
            worker.postMessage({ ...block, id } satisfies LoadBlockRequest);
          });
        },
        async close() {
          worker.removeAllListeners('exit');
          await worker.terminate();
        },
      });
    });
  });
}

export interface InterleavedRun {
  concurrency: number;
  /** Requests per app, measured. */
  perApp: number;
  /** Requests per app per block; blocks alternate between the apps (ABBA…). */
  blockSize: number;
  /** Slash command text. */
  text: string;
  /** The app measured against bare Bolt; default the bot in this process. */
  subject?: { app: string; eventsUrl: string };
  /** The bare Bolt it is measured against (its app name starts with `bare`); default the one in this process. */
  baseline?: { app: string; eventsUrl: string };
}

export interface InterleavedResult {
  /** Ack latencies (ms) of the subject (`ours`) and of bare Bolt (`bare`). */
  acks: Record<AppUnderTest, number[]>;
  /** The subject's answers through response_url. */
  replies: ReplyRecord[];
}

/**
 * Sends the same load to the bot and to bare Bolt in alternating blocks, so
 * that machine noise falls on both alike. After each block sent to the bot its
 * background work (the replies) is waited for, so that it neither spills into
 * the baseline's block nor piles up.
 */
export async function runInterleaved(context: BenchContext, run: InterleavedRun): Promise<InterleavedResult> {
  const subject = run.subject ?? { app: 'ours', eventsUrl: context.eventsUrls.ours };
  const bare = run.baseline ?? { app: 'bare', eventsUrl: context.eventsUrls.bare };
  const acks: Record<AppUnderTest, number[]> = { ours: [], bare: [] };
  const replies: ReplyRecord[] = [];
  const rounds = Math.ceil(run.perApp / run.blockSize);
  for (let round = 0; round < rounds; round += 1) {
    const count = Math.min(run.blockSize, run.perApp - round * run.blockSize);
    const order: AppUnderTest[] = round % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
    for (const which of order) {
      const target = which === 'ours' ? subject : bare;
      acks[which].push(...(await context.sendBlock({ ...target, text: run.text, count, concurrency: run.concurrency })));
      if (which === 'ours') replies.push(...(await context.settle()));
    }
  }
  return { acks, replies };
}
