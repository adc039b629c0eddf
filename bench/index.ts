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
import { githubRequestsSection } from './sections/github-requests';
import { processSection } from './sections/process';

/**
 * `/release` acks before it even parses the subcommand, so `help` exercises the
 * same code up to ack() as `status`, without GitHub. The volume runs use it:
 * the bot's GitHub queries go out at most one per second (plugin-throttling's
 * write limiter also holds GraphQL queries), so 1 000 status commands would
 * leave ~17 minutes of queued work behind.
 */
const HELP_VOLUME = ackLatencySection({
  title: '/release help at volume: ack latency (client side, until the HTTP response arrives)',
  text: 'help',
  keyPrefix: 'release_help',
  warmup: [
    { perApp: 60, concurrency: 1 },
    { perApp: 200, concurrency: 20 },
  ],
  idlePerApp: 60,
  levels: [
    { concurrency: 1, perApp: 200, blockSize: 20 },
    { concurrency: 20, perApp: 1000, blockSize: 100 },
  ],
  headlineConcurrency: 20,
  targetQualifier: '(/release help: same code up to ack())',
  notes: [
    'The /release listener calls ack() before it parses the subcommand: HTTP server, signature check, Bolt middleware and listener up to ack() are the same for help and status.',
    'help is used for volume because the bot answers at most one status per second (see below); its background work is a database insert and one response_url POST.',
    'c1_idle: one request at a time with the bot\'s background work settled before each: the ack path alone, without contention.',
  ],
});

/** The real thing, as many as the bot can answer within the run (about one per second). */
const STATUS = ackLatencySection({
  title: '/release status: ack latency and answer time (client side)',
  text: 'status',
  keyPrefix: 'status',
  warmup: [{ perApp: 2, concurrency: 1 }],
  idlePerApp: 0,
  levels: [
    { concurrency: 1, perApp: 16, blockSize: 4 },
    { concurrency: 20, perApp: 20, blockSize: 20 },
  ],
  headlineConcurrency: 20,
  targetQualifier: '(/release status)',
  notes: [
    'Few samples (p99 = the slowest request): each status costs the bot at least 1 s of GitHub queue, so the sample is what drains within the run.',
    'first/final answer: from sending the command to the response_url POST; above 2 s the bot first posts a partial dashboard, then replaces it.',
  ],
});

/** Run in this order; `processSection` last (peak RSS and totals of the whole run). */
const SECTIONS: BenchSection[] = [HELP_VOLUME, STATUS, githubRequestsSection(), processSection()];

/** Open PRs while the latency is measured. */
const OPEN_PULL_REQUESTS = 10;
/** The bot's clock: a Monday two days before a cutoff (as in the status tests). */
const BOT_NOW = '2026-11-02T17:00:00Z';

const FLAGS = ['--json', '--inline-client'];

function parseOptions(argv: string[]): BenchOptions {
  const unknown = argv.filter((arg) => !FLAGS.includes(arg));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (understood: ${FLAGS.join(', ')})`);
  return { json: argv.includes('--json'), inlineClient: argv.includes('--inline-client') };
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
    bare = await startBareBolt({ signingSecret: SIGNING_SECRET, slack: harness.slack });
    const loadData: LoadWorkerData = {
      eventsUrls: { ours: `${harness.bot.url}/slack/events`, bare: bare.eventsUrl },
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
    for (const section of SECTIONS) {
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
