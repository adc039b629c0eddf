/**
 * Overload and slow clients, on the bot in its own process (dist/main.js with
 * the production memory options, as the bot-process section runs it):
 *
 * - 1,000 signed `/release status` per second for OVERLOAD_SECONDS: the bot's
 *   peak RSS, and how many acked requests got an answer through their
 *   response_url, the dashboard or "busy, try again in a minute" (the bounded
 *   queue of work after acks, src/server/in-flight.ts).
 * - 50 clients that send their requests a byte at a time while signed
 *   `/release help` are timed: ack p99 of the bot, and of bare Bolt in its own
 *   process in the same run, with 50 slow clients of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropSchema, freshSchemaName } from '../../test/support/database';
import type { BenchContext } from '../context';
import { percentile, round, type BenchSection, type SectionResult } from '../figures';
import { DEFAULT_BOT_PROCESS, procStatusKb, type RunningChild, startBareBoltChild, startBotChild, stopChild } from './bot-process';

/** The figure: 1,000 requests/s for 60 s. */
export const OVERLOAD_SECONDS = 60;
export const OVERLOAD_RATE_PER_SECOND = 1_000;
/** Requests in flight at once while the load is sent (the bot acks them all). */
const OVERLOAD_CONCURRENCY = 200;
/** How long the answers may take to arrive after the load ends. */
const ANSWERS_WAIT_MS = 60_000;
const BUSY_WORDS = 'try again in a minute';

export const SLOW_CLIENTS = 50;
/** A slow client sends one byte this often. */
const SLOW_BYTE_INTERVAL_MS = 100;
const SLOWLORIS_MEASURED = { blocks: 6, perBlock: 50, concurrency: 5 };

/** Sequence numbers of this section's requests (unique trigger_ids and response ids across the run). */
const FIRST_SEQUENCE = 50_000_000;

/** Slow clients: each opens a connection and sends a signed-looking request a byte at a time, until stopped. */
function startSlowClients(port: number, count: number): { stop(): void; connected(): number } {
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const body = 'command=%2Frelease&text=help&';
  const request =
    'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
    `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\nContent-Length: 100000\r\n\r\n${body}`;
  let open = 0;
  const openOne = (): void => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      open += 1;
    });
    socket.on('close', () => {
      open -= 1;
    });
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return;
      // Headers first, then the body forever (it never reaches its Content-Length).
      socket.write(sent < request.length ? request.charAt(sent) : 'a');
      sent += 1;
    }, SLOW_BYTE_INTERVAL_MS);
    timers.push(timer);
  };
  for (let i = 0; i < count; i += 1) openOne();
  return {
    connected: () => open,
    stop() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}

export function overloadSection(): BenchSection {
  return {
    title: `Overload (${OVERLOAD_RATE_PER_SECOND} /release status per second for ${OVERLOAD_SECONDS} s) and ${SLOW_CLIENTS} slow clients, the bot in its own process`,
    async run(context: BenchContext): Promise<SectionResult> {
      const { slack } = context.harness;
      const schema = freshSchemaName('bench');
      const dir = mkdtempSync(path.join(tmpdir(), 'conductor-overload-'));
      const nodeArgs = [...DEFAULT_BOT_PROCESS.productionNodeOptions, ...(DEFAULT_BOT_PROCESS.nodeArgs ?? [])];
      let bot: RunningChild | undefined;
      let bare: RunningChild | undefined;
      let sequence = FIRST_SEQUENCE;
      const send = async (target: { app: string; port: number }, text: string, count: number, concurrency: number) => {
        const firstSequence = sequence;
        sequence += count;
        return context.load.run({
          eventsUrl: `http://127.0.0.1:${target.port}/slack/events`,
          app: target.app,
          text,
          count,
          concurrency,
          firstSequence,
        });
      };
      try {
        context.progress('overload: starting the bot and bare Bolt, each as a process of its own');
        bot = await startBotChild(context, { schema, dir, nodeArgs });
        bare = await startBareBoltChild(context, { dir, nodeArgs });
        const pid = bot.child.pid;
        if (pid === undefined) throw new Error('the bot process has no pid');
        slack.reset();

        // --- 1,000 requests/s: each second a block of 1,000, the next block at the next second (or at once if late).
        context.progress(`overload: ${OVERLOAD_RATE_PER_SECOND} /release status per second for ${OVERLOAD_SECONDS} s`);
        const ids = new Set<string>();
        const answered = new Set<string>();
        const busy = new Set<string>();
        const scan = (): void => {
          for (const response of slack.responses) {
            if (!response.id.startsWith('overload-')) continue;
            if (JSON.stringify(response.body).includes(BUSY_WORDS)) busy.add(response.id);
            else answered.add(response.id);
          }
          // The fake lives in this process: keep its log small (scanned and emptied in one go).
          slack.reset();
        };
        let acked = 0;
        let refusedAcks = 0;
        const overloadStarted = performance.now();
        for (let second = 0; second < OVERLOAD_SECONDS; second += 1) {
          const result = await send({ app: 'overload', port: bot.port }, 'status', OVERLOAD_RATE_PER_SECOND, OVERLOAD_CONCURRENCY).catch(
            (error: unknown) => {
              refusedAcks += OVERLOAD_RATE_PER_SECOND;
              context.progress(`overload: a block failed: ${error instanceof Error ? error.message : String(error)}`);
              return undefined;
            },
          );
          if (result) {
            acked += result.latencies.length;
            for (const { responseId } of result.sent) ids.add(responseId);
          }
          scan();
          const nextAt = overloadStarted + (second + 1) * 1000;
          const wait = nextAt - performance.now();
          if (wait > 0) await sleep(wait);
        }
        const sendSeconds = (performance.now() - overloadStarted) / 1000;
        const answersDeadline = performance.now() + ANSWERS_WAIT_MS;
        const told = (): number => [...ids].filter((id) => answered.has(id) || busy.has(id)).length;
        while (told() < ids.size && performance.now() < answersDeadline && bot.child.exitCode === null && bot.child.signalCode === null) {
          await sleep(200);
          scan();
        }
        const alive = bot.child.exitCode === null && bot.child.signalCode === null;
        const rssPeakMb = alive ? procStatusKb(pid, 'VmHWM') / 1024 : Number.NaN;
        const sentCount = OVERLOAD_SECONDS * OVERLOAD_RATE_PER_SECOND;
        const toldCount = told();

        // --- Slow clients against both, while normal signed commands are timed (blocks alternate between the two).
        context.progress(`slowloris: ${SLOW_CLIENTS} slow clients on each app, /release help timed`);
        const slowBot = startSlowClients(bot.port, SLOW_CLIENTS);
        const slowBare = startSlowClients(bare.port, SLOW_CLIENTS);
        const acks: Record<'bot' | 'bare', number[]> = { bot: [], bare: [] };
        try {
          await sleep(2_000);
          const { blocks, perBlock, concurrency } = SLOWLORIS_MEASURED;
          for (let block = 0; block < blocks; block += 1) {
            const order: Array<'bot' | 'bare'> = block % 2 === 0 ? ['bot', 'bare'] : ['bare', 'bot'];
            for (const which of order) {
              const target = which === 'bot' ? { app: 'slowloris', port: bot.port } : { app: 'bare-slowloris', port: bare.port };
              const result = await send(target, 'help', perBlock, concurrency);
              acks[which].push(...result.latencies);
            }
            await sleep(200);
          }
        } finally {
          slowBot.stop();
          slowBare.stop();
        }
        scan();
        const botP99 = percentile(acks.bot, 99);
        const bareP99 = percentile(acks.bare, 99);
        return {
          figures: [
            {
              key: 'overload_rss_peak_mb',
              label: 'bot process peak RSS (VmHWM), overload',
              value: round(rssPeakMb, 1),
              unit: 'MB',
              decimals: 1,
            },
            {
              key: 'overload_answered_or_told_busy_pct',
              label: 'acked overload requests answered or told busy',
              value: round((100 * toldCount) / sentCount, 2),
              unit: '%',
              decimals: 2,
            },
            { key: 'overload_acked', label: 'overload requests acked', value: acked, unit: '', decimals: 0 },
            { key: 'overload_answered', label: 'overload requests answered (the dashboard)', value: answered.size, unit: '', decimals: 0 },
            { key: 'overload_told_busy', label: 'overload requests told busy', value: busy.size, unit: '', decimals: 0 },
            {
              key: 'overload_send_rate_per_s',
              label: 'overload requests sent per second (achieved)',
              value: round(sentCount / sendSeconds, 0),
              unit: '/s',
              decimals: 0,
            },
            {
              key: 'slowloris_ack_p99_ms',
              label: `bot ack p99 with ${SLOW_CLIENTS} slow clients, /release help`,
              value: round(botP99),
              unit: 'ms',
              decimals: 2,
            },
            {
              key: 'slowloris_bare_bolt_ack_p99_ms',
              label: `bare Bolt ack p99 with ${SLOW_CLIENTS} slow clients (same run)`,
              value: round(bareP99),
              unit: 'ms',
              decimals: 2,
            },
          ],
          targets: [
            { figureKey: 'overload_rss_peak_mb', description: 'peak RSS < 150 MB at 1,000 requests/s', comparison: '<', limit: 150 },
            {
              figureKey: 'overload_answered_or_told_busy_pct',
              description: 'every acked request answered or told busy',
              comparison: '>=',
              limit: 100,
            },
            {
              figureKey: 'slowloris_ack_p99_ms',
              description: `ack p99 < 50 ms with ${SLOW_CLIENTS} slow clients`,
              comparison: '<',
              limit: 50,
            },
          ],
          notes: [
            `Overload: ${sentCount} /release status in blocks of ${OVERLOAD_RATE_PER_SECOND} per second (at most ${OVERLOAD_CONCURRENCY} in flight); ` +
              `${refusedAcks} not acked; answers counted by response id on the fake Slack's response_url log, up to ${ANSWERS_WAIT_MS / 1000} s after.` +
              (alive ? '' : ' The bot process DIED during the overload.'),
            `Slow clients send a byte every ${SLOW_BYTE_INTERVAL_MS} ms (headers, then a body that never ends) on ${SLOW_CLIENTS} connections to each app; ` +
              `${SLOWLORIS_MEASURED.blocks * SLOWLORIS_MEASURED.perBlock} /release help timed per app, blocks alternating.`,
          ],
        };
      } finally {
        if (bare) await stopChild(bare.child);
        if (bot) await stopChild(bot.child);
        slack.reset();
        await dropSchema(schema);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
