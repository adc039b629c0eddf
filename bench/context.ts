/**
 * What every section gets: the bot (started as in the end-to-end tests), the
 * bare Bolt baseline, and helpers to send signed `/release` commands to either
 * and to wait for the bot's background work (the replies through response_url).
 */
import { performance } from 'node:perf_hooks';
import type { Harness } from '../test/support/harness';
import type { BareBolt } from './bare-bolt';
import type { LoadGenerator } from './load';

export type AppUnderTest = 'ours' | 'bare';

export interface BenchOptions {
  json: boolean;
  /** Run the load generator on the bot's own event loop instead of its own thread (diagnostic). */
  inlineClient: boolean;
  /** Run only the sections whose title contains this text (case-insensitive), e.g. "start:prod" for the bot-process section. */
  only?: string;
}

/** How the bot answered one command through its response_url. */
export interface ReplyRecord {
  text: string;
  /** ms from sending the command to its first response_url POST. */
  firstMs: number;
  /** ms from sending the command to its final answer (the full dashboard, help, or an error). */
  finalMs: number;
  /** response_url POSTs (a slow GitHub gives a partial answer first, then the full one). */
  posts: number;
  /** The first answer said GitHub was slow (the partial dashboard). */
  partial: boolean;
  /** The final answer said GitHub failed (tags, CI and PRs not shown). */
  githubMissing: boolean;
}

export interface BenchContext {
  readonly options: BenchOptions;
  readonly harness: Harness;
  readonly bare: BareBolt;
  /** Slash command requests sent so far, per app (warm-up included). */
  readonly requestsSent: Record<string, number>;
  readonly load: LoadGenerator;
  /** `/slack/events` of the bot and of bare Bolt. */
  readonly eventsUrls: Record<AppUnderTest, string>;
  /**
   * Sends `count` signed `/release <text>` (each with its own trigger_id) to
   * `eventsUrl`, at most `concurrency` at once; resolves with the client-side
   * ack latencies (ms). Answers to any app but bare Bolt (`bare…`) are waited for by settle().
   */
  sendBlock(block: { app: string; eventsUrl: string; text: string; count: number; concurrency: number }): Promise<number[]>;
  /**
   * Waits until every command sent to the bot since the last call has had its
   * final answer and no work is in flight, then forgets the fakes' logs.
   */
  settle(timeoutMs?: number): Promise<ReplyRecord[]>;
  /** Progress for the person watching (stderr), silent in --json mode. */
  progress(message: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const PARTIAL_MARK = 'GitHub is slow to answer';
const MISSING_MARK = 'are not shown';

export function createBenchContext(options: {
  options: BenchOptions;
  harness: Harness;
  bare: BareBolt;
  load: LoadGenerator;
}): BenchContext {
  const { harness, bare, load } = options;
  const { slack } = harness;
  let sequence = 0;
  /** Commands sent to the bot since the last settle: response_url id → what and when (Date.now(), as the fake records). */
  const awaiting = new Map<string, { text: string; sentAt: number }>();
  const requestsSent: Record<string, number> = { ours: 0, bare: 0 };
  const started = performance.now();

  /** Final answers so far, by response_url id; slack.responses is scanned once (it is emptied by settle()). */
  const finals = new Set<string>();
  let scanned = 0;
  const answered = (): number => {
    for (; scanned < slack.responses.length; scanned += 1) {
      const response = slack.responses[scanned];
      if (response && !JSON.stringify(response.body).includes(PARTIAL_MARK)) finals.add(response.id);
    }
    let count = 0;
    for (const id of awaiting.keys()) if (finals.has(id)) count += 1;
    return count;
  };

  return {
    options: options.options,
    harness,
    bare,
    requestsSent,
    load,
    eventsUrls: { ours: `${harness.bot.url}/slack/events`, bare: bare.eventsUrl },
    async sendBlock(block) {
      const firstSequence = sequence + 1;
      sequence += block.count;
      requestsSent[block.app] = (requestsSent[block.app] ?? 0) + block.count;
      const result = await load.run({ ...block, firstSequence });
      // Bare Bolt apps (`bare`, `bare-process`) only ack; every other app answers through response_url.
      if (!block.app.startsWith('bare'))
        for (const { responseId, sentAt } of result.sent) awaiting.set(responseId, { text: block.text, sentAt });
      return result.latencies;
    },
    async settle(timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      const inFlight = harness.bot.app.deps.inFlight;
      while (answered() < awaiting.size || inFlight.size > 0) {
        if (performance.now() > deadline) {
          throw new Error(
            `the bot's background work did not settle within ${timeoutMs} ms: ` +
              `${answered()} of ${awaiting.size} final answers, ${inFlight.size} tasks in flight`,
          );
        }
        await sleep(5);
      }
      const byId = new Map<string, { at: number; body: string }[]>();
      for (const response of slack.responses) {
        if (!awaiting.has(response.id)) continue;
        byId.set(response.id, [...(byId.get(response.id) ?? []), { at: response.at, body: JSON.stringify(response.body) }]);
      }
      const records: ReplyRecord[] = [];
      for (const [id, sent] of awaiting) {
        const posts = byId.get(id) ?? [];
        const first = posts[0];
        const final = posts.at(-1);
        if (!first || !final) continue;
        records.push({
          text: sent.text,
          firstMs: first.at - sent.sentAt,
          finalMs: final.at - sent.sentAt,
          posts: posts.length,
          partial: first.body.includes(PARTIAL_MARK),
          githubMissing: final.body.includes(MISSING_MARK),
        });
      }
      awaiting.clear();
      finals.clear();
      scanned = 0;
      // Keep the fakes' logs small: they live in this process too.
      slack.reset();
      harness.github.resetRequests();
      return records;
    },
    progress(message) {
      if (options.options.json) return;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`[bench ${seconds.padStart(5)} s] ${message}\n`);
    },
  };
}
