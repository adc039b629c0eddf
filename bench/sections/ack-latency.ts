/**
 * Ack latency of a `/release` subcommand: the time from sending the signed
 * slash command until its HTTP response arrives (what Slack's 3-second limit
 * is about), for the bot and for a bare Bolt app, side by side; and how long
 * the bot's answer through response_url then took.
 */
import type { ReplyRecord } from '../context';
import { percentile, round, type BenchSection, type Figure, type SectionResult, type Target } from '../figures';
import { runInterleaved } from '../load';

export interface AckLatencyLevel {
  concurrency: number;
  /** Measured requests per app. */
  perApp: number;
  /** Requests per app per block (the bot's answers are waited for after each of its blocks). */
  blockSize: number;
}

export interface AckLatencyOptions {
  title: string;
  /** `/release <text>`. */
  text: string;
  /** Figure keys start with it: `status` gives `status_ack_p50_ms_c1`. */
  keyPrefix: string;
  /** Bare Bolt's keys start with it; default `bare_bolt_<keyPrefix>` (`bare_bolt` gives `bare_bolt_ack_p50_ms_c1`). */
  bareKeyPrefix?: string;
  warmup: { perApp: number; concurrency: number }[];
  /** One request at a time, the bot's background work settled before each: the ack path alone. */
  idlePerApp: number;
  levels: AckLatencyLevel[];
  /** The level the unsuffixed ratios and the p99 target refer to. */
  headlineConcurrency: number;
  /** Hold the figures to the ack targets (p99 at the headline level, p50 ratio at every level). */
  targets: boolean;
  notes: string[];
}

const P99_LIMIT_MS = 50;
const P50_RATIO_LIMIT = 1.3;

function latencyFigures(prefix: string, barePrefix: string, suffix: string, label: string, ours: number[], bare: number[]): Figure[] {
  const oursP50 = percentile(ours, 50);
  const oursP99 = percentile(ours, 99);
  const bareP50 = percentile(bare, 50);
  const bareP99 = percentile(bare, 99);
  return [
    { key: `${prefix}_ack_p50_ms_${suffix}`, label: `bot ack p50, ${label}`, value: round(oursP50), unit: 'ms', decimals: 2 },
    { key: `${prefix}_ack_p99_ms_${suffix}`, label: `bot ack p99, ${label}`, value: round(oursP99), unit: 'ms', decimals: 2 },
    { key: `${barePrefix}_ack_p50_ms_${suffix}`, label: `bare Bolt ack p50, ${label}`, value: round(bareP50), unit: 'ms', decimals: 2 },
    { key: `${barePrefix}_ack_p99_ms_${suffix}`, label: `bare Bolt ack p99, ${label}`, value: round(bareP99), unit: 'ms', decimals: 2 },
    {
      key: `${prefix}_ack_p50_ratio_vs_bare_bolt_${suffix}`,
      label: `p50 ratio bot/bare, ${label}`,
      value: round(oursP50 / bareP50),
      unit: '×',
      decimals: 2,
    },
    {
      key: `${prefix}_ack_p99_ratio_vs_bare_bolt_${suffix}`,
      label: `p99 ratio bot/bare, ${label}`,
      value: round(oursP99 / bareP99),
      unit: '×',
      decimals: 2,
    },
    { key: `${prefix}_ack_samples_${suffix}`, label: `requests measured per app, ${label}`, value: ours.length, unit: '', decimals: 0 },
  ];
}

function replyFigures(prefix: string, suffix: string, label: string, replies: ReplyRecord[]): Figure[] {
  if (replies.length === 0) return [];
  const first = replies.map((r) => r.firstMs);
  const final = replies.map((r) => r.finalMs);
  return [
    {
      key: `${prefix}_reply_first_p50_ms_${suffix}`,
      label: `bot's first answer p50, ${label}`,
      value: percentile(first, 50),
      unit: 'ms',
      decimals: 0,
    },
    {
      key: `${prefix}_reply_final_p50_ms_${suffix}`,
      label: `bot's final answer p50, ${label}`,
      value: percentile(final, 50),
      unit: 'ms',
      decimals: 0,
    },
    {
      key: `${prefix}_reply_final_max_ms_${suffix}`,
      label: `bot's final answer max, ${label}`,
      value: Math.max(...final),
      unit: 'ms',
      decimals: 0,
    },
    {
      key: `${prefix}_replies_partial_${suffix}`,
      label: `partial first answers (GitHub > 2 s), ${label}`,
      value: replies.filter((r) => r.partial).length,
      unit: '',
      decimals: 0,
    },
  ];
}

export function ackLatencySection(options: AckLatencyOptions): BenchSection {
  const { keyPrefix: prefix } = options;
  const barePrefix = options.bareKeyPrefix ?? `bare_bolt_${prefix}`;
  return {
    title: options.title,
    async run(context): Promise<SectionResult> {
      const figures: Figure[] = [];
      const replies: ReplyRecord[] = [];

      for (const warmup of options.warmup) {
        context.progress(`warm-up: /release ${options.text}, ${warmup.perApp} per app at concurrency ${warmup.concurrency}`);
        await runInterleaved(context, {
          concurrency: warmup.concurrency,
          perApp: warmup.perApp,
          blockSize: warmup.perApp,
          text: options.text,
        });
      }

      if (options.idlePerApp > 0) {
        context.progress(`idle: /release ${options.text}, ${options.idlePerApp} per app, one at a time, the bot settled before each`);
        const idle = await runInterleaved(context, { concurrency: 1, perApp: options.idlePerApp, blockSize: 1, text: options.text });
        figures.push(...latencyFigures(prefix, barePrefix, 'c1_idle', 'concurrency 1, bot idle', idle.acks.ours, idle.acks.bare));
        replies.push(...idle.replies);
      }

      for (const level of options.levels) {
        context.progress(
          `measuring: /release ${options.text}, ${level.perApp} per app at concurrency ${level.concurrency} (blocks of ${level.blockSize})`,
        );
        const result = await runInterleaved(context, { ...level, text: options.text });
        const suffix = `c${level.concurrency}`;
        const label = `concurrency ${level.concurrency}`;
        figures.push(...latencyFigures(prefix, barePrefix, suffix, label, result.acks.ours, result.acks.bare));
        figures.push(...replyFigures(prefix, suffix, label, result.replies));
        replies.push(...result.replies);
      }

      const headline = `c${options.headlineConcurrency}`;
      const byKey = new Map(figures.map((figure) => [figure.key, figure]));
      for (const kind of ['p50', 'p99'] as const) {
        const source = byKey.get(`${prefix}_ack_${kind}_ratio_vs_bare_bolt_${headline}`);
        if (source) {
          figures.push({
            ...source,
            key: `${prefix}_ack_${kind}_ratio_vs_bare_bolt`,
            label: `${kind} ratio bot/bare (headline: concurrency ${options.headlineConcurrency})`,
          });
        }
      }

      const sent = replies.length;
      const partial = replies.filter((r) => r.partial).length;
      const missing = replies.filter((r) => r.githubMissing).length;
      const posts = replies.reduce((sum, r) => sum + r.posts, 0);
      figures.push({
        key: `${prefix}_replies_received`,
        label: 'measured commands the bot answered through response_url',
        value: sent,
        unit: '',
        decimals: 0,
      });

      const qualifier = `(/release ${options.text})`;
      const targets: Target[] = [];
      if (options.targets) {
        targets.push({
          figureKey: `${prefix}_ack_p99_ms_${headline}`,
          description: `ack p99 < ${P99_LIMIT_MS} ms at concurrency ${options.headlineConcurrency} ${qualifier}`,
          comparison: '<',
          limit: P99_LIMIT_MS,
        });
        for (const level of options.levels) {
          targets.push({
            figureKey: `${prefix}_ack_p50_ratio_vs_bare_bolt_c${level.concurrency}`,
            description: `bot p50 within ${P50_RATIO_LIMIT}× of bare Bolt's at concurrency ${level.concurrency} ${qualifier}`,
            comparison: '<=',
            limit: P50_RATIO_LIMIT,
          });
        }
      }
      return {
        figures,
        targets,
        notes: [
          ...options.notes,
          `answers: every measured command got its final answer through response_url (${sent} commands, ${posts} POSTs, ` +
            `${partial} partial first answers, ${missing} without GitHub data); the bot's work was waited for after each of its blocks.`,
        ],
      };
    },
  };
}
