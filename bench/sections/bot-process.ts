/**
 * The bot alone in its own process (the compiled src/main.js, as `npm start`
 * runs it), against the same fakes and PostgreSQL: its own peak RSS, which the
 * benchmark's process cannot show (it also holds the fakes, bare Bolt and the
 * load generator), and its ack latency without sharing an event loop with them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakesEnv, SIGNING_SECRET } from '../../test/support/harness';
import { dropSchema, freshSchemaName } from '../../test/support/database';
import type { BenchContext } from '../context';
import { percentile, round, type BenchSection, type Figure, type SectionResult } from '../figures';
import { runInterleaved } from '../load';
import { readProductionCommand } from '../../test/support/production-command';

export interface BotProcessOptions {
  /** `/release <text>` sent to the bot process, interleaved with bare Bolt. */
  load: { text: string; warmup: number; perApp: number; concurrency: number; blockSize: number };
  rssLimitMb: number;
  /** How much more peak RSS than bare Bolt's (same run, same node options) the bot may use (MB). */
  rssAboveBareBoltLimitMb: number;
  /** The highest p99 ack ratio bot/bare Bolt. */
  ackP99RatioLimit: number;
  /** The longest a command may wait for its final answer (ms). */
  replyFinalMaxLimitMs: number;
  /** The node options of `npm run start:prod` (the memory budget); read from package.json. */
  productionNodeOptions: string[];

  /** More node options after those (e.g. '--cpu-prof'); from BENCH_BOT_NODE_ARGS. */
  nodeArgs?: string[];
}

// .bench-dist/bench/sections → the project.
const PRODUCTION = readProductionCommand(path.resolve(__dirname, '..', '..', '..'));

export const DEFAULT_BOT_PROCESS: BotProcessOptions = {
  load: { text: 'status', warmup: 1000, perApp: 1000, concurrency: 20, blockSize: 100 },
  rssLimitMb: 150,
  rssAboveBareBoltLimitMb: 40,
  ackP99RatioLimit: 1.3,
  replyFinalMaxLimitMs: 500,
  productionNodeOptions: PRODUCTION.nodeOptions,

  ...(process.env.BENCH_BOT_NODE_ARGS ? { nodeArgs: process.env.BENCH_BOT_NODE_ARGS.split(/\s+/).filter(Boolean) } : {}),
};

const STARTED_MESSAGE = 'release-conductor is running';

export interface RunningChild {
  child: ChildProcess;
  port: number;
  /** stderr and non-JSON stdout, for error messages. */
  output: () => string;
}

/** kB figures of /proc/<pid>/status (Linux), e.g. VmHWM (peak RSS) and VmRSS. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** The compiled bot (as `npm run start:prod` runs dist/main.js) and bare Bolt's process entry. */
export const BOT_MAIN = path.resolve(__dirname, '..', '..', 'src', 'main.js');
export const BARE_BOLT_MAIN = path.resolve(__dirname, '..', 'bare-bolt-main.js');

/**
 * Starts `script` and resolves once it prints the JSON line with its port: the
 * bot's "running" log line, or bare Bolt's `{"port": N}`.
 */
export function startChild(
  options: { name: string; script: string; env: Record<string, string>; cwd: string; nodeArgs: string[] },
  timeoutMs = 30_000,
): Promise<RunningChild> {
  const { name, env, cwd } = options;
  const child = spawn(process.execPath, [...options.nodeArgs, options.script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms: ${output.slice(-2000)}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start (code ${code}, signal ${signal}): ${output.slice(-2000)}`));
    };
    child.once('exit', onExit);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      output += chunk;
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        let port: unknown;
        try {
          const entry: unknown = JSON.parse(line);
          const ready =
            typeof entry === 'object' && entry !== null && 'port' in entry && (!('msg' in entry) || entry.msg === STARTED_MESSAGE);
          if (ready) port = entry.port;
        } catch {
          output += `${line}\n`;
        }
        if (typeof port === 'number') {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve({ child, port, output: () => output });
        }
      }
    });
  });
}

export function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** The bot (dist/main.js as start:prod runs it: its environment and node options) against the harness's fakes, in `schema`. */
export function startBotChild(context: BenchContext, options: { schema: string; dir: string; nodeArgs: string[] }): Promise<RunningChild> {
  const { slack, github } = context.harness;
  return startChild({
    name: 'the bot',
    script: BOT_MAIN,
    env: { ...PRODUCTION.env, ...fakesEnv({ slack, github, schema: options.schema }), PORT: '0', DATA_DIR: options.dir, LOG_LEVEL: 'info' },
    cwd: options.dir,
    nodeArgs: options.nodeArgs,
  });
}

/** Bare Bolt in a process of its own, with the same environment (start:prod's) and node options. */
export function startBareBoltChild(context: BenchContext, options: { dir: string; nodeArgs: string[] }): Promise<RunningChild> {
  const { slack } = context.harness;
  return startChild({
    name: 'bare Bolt',
    script: BARE_BOLT_MAIN,
    env: { ...PRODUCTION.env, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl },
    cwd: options.dir,
    nodeArgs: options.nodeArgs,
  });
}

export function botProcessSection(options: BotProcessOptions = DEFAULT_BOT_PROCESS): BenchSection {
  return {
    title: 'The bot alone in its own process (as npm run start:prod runs it) beside bare Bolt in a process of its own',
    async run(context: BenchContext): Promise<SectionResult> {
      const { github } = context.harness;
      const schema = freshSchemaName('bench');
      const dir = mkdtempSync(path.join(tmpdir(), 'conductor-bench-'));
      let running: RunningChild | undefined;
      let bareRunning: RunningChild | undefined;
      const nodeArgs = [...options.productionNodeOptions, ...(options.nodeArgs ?? [])];
      try {
        context.progress('starting the bot and bare Bolt, each as a process of its own');
        running = await startBotChild(context, { schema, dir, nodeArgs });
        bareRunning = await startBareBoltChild(context, { dir, nodeArgs });
        const pid = running.child.pid;
        const barePid = bareRunning.child.pid;
        if (pid === undefined || barePid === undefined) throw new Error('a child process has no pid');
        const rssAfterStartMb = procStatusKb(pid, 'VmRSS') / 1024;
        const subject = { app: 'child', eventsUrl: `http://127.0.0.1:${running.port}/slack/events` };
        const baseline = { app: 'bare-process', eventsUrl: `http://127.0.0.1:${bareRunning.port}/slack/events` };
        const { load } = options;
        const prs = [...github.pullRequests.values()].filter((pr) => pr.state === 'OPEN').length;
        const run = { subject, baseline, concurrency: load.concurrency, blockSize: load.blockSize, text: load.text };
        context.progress(`bot process: warm-up, ${load.warmup} /release ${load.text} per app at concurrency ${load.concurrency}`);
        await runInterleaved(context, { ...run, perApp: load.warmup, blockSize: load.warmup });
        context.progress(
          `bot process: ${load.perApp} /release ${load.text} per app at concurrency ${load.concurrency} (blocks of ${load.blockSize})`,
        );
        const measured = await runInterleaved(context, { ...run, perApp: load.perApp });

        const rssPeakMb = procStatusKb(pid, 'VmHWM') / 1024;
        const bareRssPeakMb = procStatusKb(barePid, 'VmHWM') / 1024;
        const oursP50 = percentile(measured.acks.ours, 50);
        const oursP99 = percentile(measured.acks.ours, 99);
        const bareP50 = percentile(measured.acks.bare, 50);
        const bareP99 = percentile(measured.acks.bare, 99);
        const key = `${load.text}_ack`;
        const c = `c${load.concurrency}`;
        const what = `/release ${load.text}, concurrency ${load.concurrency}`;
        const finals = measured.replies.map((r) => r.finalMs);
        const figures: Figure[] = [
          {
            key: 'bot_process_rss_after_start_mb',
            label: 'bot process RSS after start',
            value: round(rssAfterStartMb, 1),
            unit: 'MB',
            decimals: 1,
          },
          { key: 'bot_process_rss_peak_mb', label: 'bot process peak RSS (VmHWM)', value: round(rssPeakMb, 1), unit: 'MB', decimals: 1 },
          { key: 'rss_peak_mb', label: 'peak RSS of the bot (the bot process above)', value: round(rssPeakMb, 1), unit: 'MB', decimals: 1 },
          {
            key: 'bare_bolt_process_rss_peak_mb',
            label: 'bare Bolt process peak RSS, for comparison',
            value: round(bareRssPeakMb, 1),
            unit: 'MB',
            decimals: 1,
          },
          {
            key: 'bot_process_rss_peak_above_bare_bolt_mb',
            label: 'bot process peak RSS above bare Bolt process peak RSS',
            value: round(rssPeakMb - bareRssPeakMb, 1),
            unit: 'MB',
            decimals: 1,
          },
          { key: `bot_process_${key}_p50_ms_${c}`, label: `bot process ack p50, ${what}`, value: round(oursP50), unit: 'ms', decimals: 2 },
          { key: `bot_process_${key}_p99_ms_${c}`, label: `bot process ack p99, ${what}`, value: round(oursP99), unit: 'ms', decimals: 2 },
          {
            key: `bot_process_bare_bolt_${key}_p50_ms_${c}`,
            label: `bare Bolt process ack p50 (interleaved), ${what}`,
            value: round(bareP50),
            unit: 'ms',
            decimals: 2,
          },
          {
            key: `bot_process_bare_bolt_${key}_p99_ms_${c}`,
            label: `bare Bolt process ack p99 (interleaved), ${what}`,
            value: round(bareP99),
            unit: 'ms',
            decimals: 2,
          },
          {
            key: `bot_process_${key}_p50_ratio_vs_bare_bolt_${c}`,
            label: `p50 ratio bot process/bare, ${what}`,
            value: round(oursP50 / bareP50),
            unit: '×',
            decimals: 2,
          },
          {
            key: `bot_process_${key}_p99_ratio_vs_bare_bolt_${c}`,
            label: `p99 ratio bot process/bare, ${what}`,
            value: round(oursP99 / bareP99),
            unit: '×',
            decimals: 2,
          },
          {
            key: `bot_process_${load.text}_reply_final_p50_ms_${c}`,
            label: `bot process final answer p50, ${what}`,
            value: percentile(finals, 50),
            unit: 'ms',
            decimals: 0,
          },
          {
            key: `bot_process_${load.text}_reply_final_max_ms_${c}`,
            label: `bot process final answer max, ${what}`,
            value: Math.max(...finals),
            unit: 'ms',
            decimals: 0,
          },
        ];
        return {
          figures,
          targets: [
            {
              figureKey: 'rss_peak_mb',
              description: `peak RSS < ${options.rssLimitMb} MB (the bot alone, in its own process)`,
              comparison: '<',
              limit: options.rssLimitMb,
            },
            {
              figureKey: `bot_process_${key}_p99_ms_${c}`,
              description: `ack p99 < 50 ms at concurrency ${load.concurrency} (bot in its own process, /release ${load.text})`,
              comparison: '<',
              limit: 50,
            },
            {
              figureKey: `bot_process_${key}_p50_ratio_vs_bare_bolt_${c}`,
              description: `bot p50 within 1.3× of bare Bolt's at concurrency ${load.concurrency} (bot in its own process, /release ${load.text})`,
              comparison: '<=',
              limit: 1.3,
            },
            {
              figureKey: `bot_process_${key}_p99_ratio_vs_bare_bolt_${c}`,
              description: `bot p99 within ${options.ackP99RatioLimit}× of bare Bolt's at concurrency ${load.concurrency} (each in its own process, /release ${load.text})`,
              comparison: '<=',
              limit: options.ackP99RatioLimit,
            },
            {
              figureKey: `bot_process_${load.text}_reply_final_max_ms_${c}`,
              description: `every final answer within ${options.replyFinalMaxLimitMs} ms at concurrency ${load.concurrency} (bot in its own process, /release ${load.text})`,
              comparison: '<=',
              limit: options.replyFinalMaxLimitMs,
            },
            {
              figureKey: 'bot_process_rss_peak_above_bare_bolt_mb',
              description: `peak RSS at most ${options.rssAboveBareBoltLimitMb} MB above bare Bolt's (each in its own process, same node options)`,
              comparison: '<=',
              limit: options.rssAboveBareBoltLimitMb,
            },
          ],
          notes: [
            'The bot runs as `npm run start:prod` runs it (LOG_LEVEL info, logs read for its port), and bare Bolt in a process of its own beside it, ' +
              'with the same node options: like for like. The fakes and the load generator stay in the benchmark process.',
            `Environment and node options of both: ${[...Object.entries(PRODUCTION.env).map(([name, value]) => `${name}=${value}`), ...options.productionNodeOptions].join(' ') || 'none'} (package.json start:prod, as in the Docker image)` +
              (options.nodeArgs ? `, then ${options.nodeArgs.join(' ')} (BENCH_BOT_NODE_ARGS).` : '.'),
            `Load on it: ${load.warmup + load.perApp} /release ${load.text} (${prs} open PRs); every command got its final answer through response_url.`,
          ],
        };
      } finally {
        if (bareRunning) await stopChild(bareRunning.child);
        if (running) {
          const code = await stopChild(running.child);
          if (code !== 0) context.progress(`the bot process exited with code ${code}: ${running.output().slice(-500)}`);
        }
        await dropSchema(schema);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
