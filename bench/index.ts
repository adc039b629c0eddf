/**
 * `npm run bench [-- --json]`: starts the bot as the end-to-end tests do (real
 * PostgreSQL in a fresh schema, fake Slack and fake GitHub on loopback), a bare
 * Bolt app beside it, runs every section and prints the figures with the
 * targets they are held to. Missing a target is reported, not an error: the
 * exit code is non-zero only when the benchmark itself fails.
 *
 * To add figures, add a section (bench/sections/) to SECTIONS.
 */
import { existsSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SIGNING_SECRET, startHarness, type Harness } from '../test/support/harness';
import { arrangeRepository, growOpenPullRequests } from './arrange';
import { startBareBolt, type BareBolt } from './bare-bolt';
import { createBenchContext, type BenchOptions } from './context';
import type { BenchSection, CompletedSection } from './figures';
import { RESPONSE_ID, startInlineLoadGenerator, startThreadLoadGenerator, type LoadGenerator } from './load';
import type { LoadWorkerData } from './load-protocol';
import { renderJson, renderText, type BenchReport } from './report';
import { ackLatencySection } from './sections/ack-latency';
import { botProcessSection } from './sections/bot-process';
import { dotReleaseSection } from './sections/dot-release';
import { githubRequestsSection } from './sections/github-requests';
import { messageSizeSection } from './sections/message-size';
import { overloadSection } from './sections/overload';
import { processSection } from './sections/process';
import { prSweepSection } from './sections/pr-sweep';
import { taggingPollingSection } from './sections/tagging-polling';

/** The figures: `/release status` at concurrency 1 and 20, the bot beside bare Bolt. */
const STATUS = ackLatencySection({
  title: '/release status: ack latency (client side, until the HTTP response arrives) and answer time',
  text: 'status',
  keyPrefix: 'status',
  bareKeyPrefix: 'bare_bolt',
  warmup: [
    { perApp: 60, concurrency: 1 },
    { perApp: 200, concurrency: 20 },
  ],
  idlePerApp: 0,
  levels: [
    { concurrency: 1, perApp: 400, blockSize: 20 },
    { concurrency: 20, perApp: 1000, blockSize: 100 },
  ],
  headlineConcurrency: 20,
  targets: true,
  notes: [
    'first/final answer: from sending the command to its response_url POST; the bot posts a partial dashboard first when GitHub takes over 2 s.',
    'GitHub queries leave the bot at most one per second (plugin-throttling); concurrent status commands share one read (src/github/client.ts).',
  ],
});

/**
 * The ack path alone: one request at a time, the bot's work settled before
 * each. `/release` acks before it parses the subcommand, so `help` runs the
 * same code up to ack() as `status` without costing a second of GitHub queue.
 */
const ACK_PATH_IDLE = ackLatencySection({
  title: '/release help, one at a time with the bot idle: the ack path alone',
  text: 'help',
  keyPrefix: 'release_help',
  warmup: [],
  idlePerApp: 60,
  levels: [],
  headlineConcurrency: 1,
  targets: false,
  notes: ['The /release listener calls ack() before it parses the subcommand: up to ack(), help and status run the same code.'],
});

/**
 * Run in this order: the bot process before the GitHub section (which grows the
 * fake repository to 500 open PRs), `processSection` last (peak RSS, totals).
 */
const SECTIONS: BenchSection[] = [
  STATUS,
  ACK_PATH_IDLE,
  botProcessSection(),
  overloadSection(),
  githubRequestsSection(),
  prSweepSection(),
  messageSizeSection(),
  taggingPollingSection(),
  dotReleaseSection(),
  processSection(),
];

/** Open PRs while the latency is measured. */
const OPEN_PULL_REQUESTS = 10;
/** The bot's clock: a Monday two days before a cutoff (as in the status tests). */
const BOT_NOW = '2026-11-02T17:00:00Z';

const FLAGS = ['--json', '--inline-client'];
/** `--only=TEXT`: only the sections whose title contains TEXT, e.g. `--only=start:prod` (the bot-process section, about 20 s). */
const ONLY = '--only=';

function parseOptions(argv: string[]): BenchOptions {
  const unknown = argv.filter((arg) => !FLAGS.includes(arg) && !arg.startsWith(ONLY));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (understood: ${FLAGS.join(', ')}, ${ONLY}TEXT)`);
  const only = argv.find((arg) => arg.startsWith(ONLY))?.slice(ONLY.length);
  return { json: argv.includes('--json'), inlineClient: argv.includes('--inline-client'), ...(only ? { only } : {}) };
}

function selectedSections(options: BenchOptions): BenchSection[] {
  const only = options.only?.toLowerCase();
  if (!only) return SECTIONS;
  const selected = SECTIONS.filter((section) => section.title.toLowerCase().includes(only));
  if (selected.length === 0) throw new Error(`no section title contains "${options.only}"`);
  return selected;
}

/**
 * The migrator looks for prisma/migrations two levels above its own file:
 * right for dist/db/, but .bench-dist/src/db/ puts it under .bench-dist/.
 * Point .bench-dist/prisma at the project's prisma folder.
 */
function linkMigrationsIntoBuild(): void {
  const buildRoot = path.resolve(__dirname, '..');
  if (path.basename(buildRoot) !== '.bench-dist') return;
  const link = path.join(buildRoot, 'prisma');
  if (existsSync(path.join(link, 'migrations'))) return;
  symlinkSync(path.resolve(buildRoot, '..', 'prisma'), link, 'dir');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  linkMigrationsIntoBuild();
  const startedAt = new Date();
  const started = performance.now();
  let harness: Harness | undefined;
  let bare: BareBolt | undefined;
  let load: LoadGenerator | undefined;
  try {
    harness = await startHarness({ now: BOT_NOW });
    arrangeRepository(harness.github);
    growOpenPullRequests(harness.github, OPEN_PULL_REQUESTS);
    bare = await startBareBolt({ signingSecret: SIGNING_SECRET, botToken: harness.slack.botToken, slackApiUrl: harness.slack.apiUrl });
    const loadData: LoadWorkerData = {
      signingSecret: SIGNING_SECRET,
      teamId: harness.slack.teamId,
      apiAppId: harness.slack.appId,
      // The fake serves any id at this URL; it records what the bot posts there.
      responseUrlTemplate: harness.slack.responseUrl(RESPONSE_ID),
      runId: `${process.pid}.${Date.now().toString(36)}`,
    };
    load = options.inlineClient ? startInlineLoadGenerator(loadData) : await startThreadLoadGenerator(loadData);
    const context = createBenchContext({ options, harness, bare, load });
    context.progress(`bot at ${harness.bot.url} (schema ${harness.schema}), bare Bolt at ${bare.url}, load generator: ${load.mode}`);

    const sections: CompletedSection[] = [];
    for (const section of selectedSections(options)) {
      const sectionStarted = performance.now();
      context.progress(`section: ${section.title}`);
      const result = await section.run(context);
      sections.push({ ...result, title: section.title, durationMs: performance.now() - sectionStarted });
    }
    const report: BenchReport = {
      sections,
      meta: {
        node: process.version,
        cpus: os.availableParallelism(),
        platform: `${process.platform}-${process.arch}`,
        startedAt: startedAt.toISOString(),
        durationS: (performance.now() - started) / 1000,
        loadGenerator: load.mode,
      },
    };
    process.stdout.write(options.json ? renderJson(report) : renderText(report));
  } finally {
    await load?.close();
    await bare?.close();
    // Stops the bot (waits for work in flight), closes the fakes, drops the schema.
    await harness?.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
