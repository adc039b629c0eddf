/**
 * The bot's Prometheus metrics (prom-client), on a registry of their own per app instance: two apps in one
 * process (tests, two replicas started by one test) never share counters, and prom-client's global default
 * registry is never used. The adapters report through small observer callbacks (`src/app.ts` and
 * `src/main.ts` wire them to these instruments); gauges that are cheap to read when scraped (queue depth,
 * release states) are read then, through `collectAtScrape`.
 *
 * Names are `release_conductor_*` with their unit (`_seconds`, `_total`); labels have few values (payload
 * kinds, Web API method names, GitHub route templates, job names, states): never a user, a channel or a URL.
 * The README's "Metrics" section lists every metric; `test/metrics/` checks that list against `METRIC_NAMES`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger';

/** The kinds of Slack payload an ack is measured for. */
export type PayloadKind = 'command' | 'action' | 'view' | 'event' | 'options' | 'shortcut' | 'other';

/** How the answer that follows an ack ended: given, a failure told (or logged), or refused because the bot was busy. */
export type AnswerOutcome = 'answered' | 'failed' | 'busy';

/** How one scheduled fire ended on this replica: ran on time, ran late (a minute or more after it was due), threw, or was recorded missed. */
export type JobOutcome = 'ran' | 'late' | 'failed' | 'missed';

/** The result of one HTTP attempt to GitHub or Slack. */
export type CallResult =
  | 'ok'
  /** Slack answered 200 with `ok: false`. */
  | 'error'
  /** 429, or GitHub's 403 for a primary or secondary rate limit. */
  | 'rate-limited'
  /** Any other 403 (or 401): a permission or credential problem. */
  | 'forbidden'
  | 'client-error'
  | 'server-error'
  /** No answer: timeout, connection refused or reset. */
  | 'network';

/** What is read at scrape time (each reader is called once per scrape; a failure leaves its gauge empty and is reported). */
export interface ScrapeReaders {
  /** Work after acks: admitted and waiting or running, by kind, and the requests being acked right now. */
  queue?: () => { admitted: { light: number; heavy: number }; tracked: number; waitingForQuiet: number };
  /** Tag releases (train cuts and dot releases) by kind and state, and notices not yet posted by their release's state. */
  releases?: () => Promise<{
    byState: Array<{ kind: string; state: string; count: number }>;
    unpostedNotices: Array<{ state: string; count: number }>;
  }>;
  /** Dot-release runs (src/dot-release/states.ts) by state. */
  dotReleases?: () => Promise<Array<{ state: string; count: number }>>;
}

/** Every metric this module registers (besides prom-client's process metrics, prefixed `release_conductor_`). */
export const METRIC_NAMES = [
  'release_conductor_slack_ack_duration_seconds',
  'release_conductor_answers_total',
  'release_conductor_slack_api_requests_total',
  'release_conductor_slack_api_retries_total',
  'release_conductor_github_requests_total',
  'release_conductor_github_retries_total',
  'release_conductor_github_rate_limit_remaining',
  'release_conductor_scheduled_job_runs_total',
  'release_conductor_work_queue_depth',
  'release_conductor_work_tracked',
  'release_conductor_releases',
  'release_conductor_release_notices_unposted',
  'release_conductor_dot_release_runs',
  'release_conductor_metrics_collect_errors_total',
] as const;

/** The exposition format's content type. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Metrics {
  readonly registry: Registry;
  /** A Slack request was acked (answered by the HTTP server) `seconds` after it arrived. */
  ack(kind: PayloadKind, seconds: number): void;
  answer(outcome: AnswerOutcome): void;
  /** One HTTP attempt of a Slack Web API call (`method` such as `chat.postMessage`). */
  slackCall(method: string, result: CallResult): void;
  /** The Slack client is trying a call of `method` again. */
  slackRetry(method: string): void;
  /** One HTTP attempt to GitHub: `route` a template such as `GET /repos/{owner}/{repo}/git/ref/{ref}`, or `POST /graphql`. */
  githubCall(route: string, result: CallResult, retry: boolean): void;
  /** GitHub's `x-ratelimit-remaining` for a `resource` (core, graphql, …). */
  githubRateLimitRemaining(resource: string, remaining: number): void;
  jobRun(job: string, outcome: JobOutcome): void;
  /** Sets what is read at scrape time (called once, when the app is built). */
  collectAtScrape(readers: ScrapeReaders): void;
  /** The exposition text. */
  render(): Promise<string>;
}

/** GitHub and Slack resources and methods are few, but a bug could make them many: past this many label values, `other`. */
const MAX_LABEL_VALUES = 200;

function boundedLabel(seen: Set<string>): (value: string) => string {
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return 'other';
    seen.add(value);
    return value;
  };
}

/** A fresh registry with every instrument; `processMetrics: false` leaves out prom-client's process metrics. */
export function createMetrics(options: { logger: Logger; processMetrics?: boolean }): Metrics {
  const logger = options.logger.child({ module: 'metrics' });
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'release_conductor_' });
  const registers = [registry];
  const acks = new Histogram({
    name: 'release_conductor_slack_ack_duration_seconds',
    help: 'Time from a Slack request reaching the bot to its ack (the HTTP answer), by payload kind.',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const answers = new Counter({
    name: 'release_conductor_answers_total',
    help: 'Answers that follow an ack, by outcome: answered, failed (the person was told what went wrong), busy (refused).',
    labelNames: ['outcome'],
    registers,
  });
  const slackCalls = new Counter({
    name: 'release_conductor_slack_api_requests_total',
    help: 'HTTP attempts of Slack Web API calls, by method and result (rate-limited is a 429).',
    labelNames: ['method', 'result'],
    registers,
  });
  const slackRetries = new Counter({
    name: 'release_conductor_slack_api_retries_total',
    help: 'Slack Web API calls tried again after a failed attempt (a 429 is waited out first), by method.',
    labelNames: ['method'],
    registers,
  });
  const githubCalls = new Counter({
    name: 'release_conductor_github_requests_total',
    help: 'HTTP attempts to GitHub, by route template and result (rate-limited: a 429, or a 403 for a rate limit).',
    labelNames: ['route', 'result'],
    registers,
  });
  const githubRetries = new Counter({
    name: 'release_conductor_github_retries_total',
    help: 'Attempts to GitHub that repeat an earlier one (after a rate limit, a 5xx or a network error), by route template.',
    labelNames: ['route'],
    registers,
  });
  const rateLimit = new Gauge({
    name: 'release_conductor_github_rate_limit_remaining',
    help: "GitHub's x-ratelimit-remaining on its latest answer, by resource (core, graphql, …).",
    labelNames: ['resource'],
    registers,
  });
  const jobRuns = new Counter({
    name: 'release_conductor_scheduled_job_runs_total',
    help: 'Scheduled fires handled by this replica, by job and outcome: ran, late (a minute or more late), failed, missed.',
    labelNames: ['job', 'outcome'],
    registers,
  });
  const collectErrors = new Counter({
    name: 'release_conductor_metrics_collect_errors_total',
    help: 'Scrape-time readings that failed (their gauges are left empty for that scrape), by what was read.',
    labelNames: ['reading'],
    registers,
  });
  let readers: ScrapeReaders = {};
  new Gauge({
    name: 'release_conductor_work_queue_depth',
    help: 'Work after acks admitted and not yet settled (waiting or running), by kind: light (most commands), heavy (dashboards).',
    labelNames: ['kind'],
    registers,
    collect() {
      const queue = readers.queue?.();
      if (!queue) return;
      this.set({ kind: 'light' }, queue.admitted.light);
      this.set({ kind: 'heavy' }, queue.admitted.heavy);
    },
  });
  new Gauge({
    name: 'release_conductor_work_tracked',
    help: 'Work a graceful stop would wait for (after acks, scheduled jobs, webhooks), and of it the tasks waiting for the acks of a burst.',
    labelNames: ['stage'],
    registers,
    collect() {
      const queue = readers.queue?.();
      if (!queue) return;
      this.set({ stage: 'tracked' }, queue.tracked);
      this.set({ stage: 'waiting_for_acks' }, queue.waitingForQuiet);
    },
  });
  const releases = new Gauge({
    name: 'release_conductor_releases',
    help: 'Tag releases by kind (train: the cut; patch: a dot release) and state (src/tagging/states.ts).',
    labelNames: ['kind', 'state'],
    registers,
  });
  const unposted = new Gauge({
    name: 'release_conductor_release_notices_unposted',
    help: "Messages about a release not yet posted to the train's thread, by the release's state.",
    labelNames: ['state'],
    registers,
  });
  const dotReleases = new Gauge({
    name: 'release_conductor_dot_release_runs',
    help: 'Dot releases run by the bot, by state of their run (src/dot-release/states.ts): planned, picking, conflict, tagged, watched…',
    labelNames: ['state'],
    registers,
  });
  const method = boundedLabel(new Set());
  const route = boundedLabel(new Set());
  const resource = boundedLabel(new Set());
  const job = boundedLabel(new Set());

  /** Reads the releases once per scrape (not once per gauge). */
  const readReleases = async () => {
    releases.reset();
    unposted.reset();
    dotReleases.reset();
    if (!readers.releases) return;
    try {
      const read = await readers.releases();
      for (const row of read.byState) releases.set({ kind: row.kind, state: row.state }, row.count);
      for (const row of read.unpostedNotices) unposted.set({ state: row.state }, row.count);
      for (const row of (await readers.dotReleases?.()) ?? []) dotReleases.set({ state: row.state }, row.count);
    } catch (error) {
      // The database is down or slow: the scrape still answers, with the failure counted (and /readyz says why).
      collectErrors.inc({ reading: 'releases' });
      logger.warn({ err: error }, 'could not read the releases for /metrics; their gauges are empty in this scrape');
    }
  };

  return {
    registry,
    ack: (kind, seconds) => acks.observe({ kind }, seconds),
    answer: (outcome) => answers.inc({ outcome }),
    slackCall: (name, result) => slackCalls.inc({ method: method(name), result }),
    slackRetry: (name) => slackRetries.inc({ method: method(name) }),
    githubCall: (name, result, retry) => {
      githubCalls.inc({ route: route(name), result });
      if (retry) githubRetries.inc({ route: route(name) });
    },
    githubRateLimitRemaining: (name, remaining) => rateLimit.set({ resource: resource(name) }, remaining),
    jobRun: (name, outcome) => jobRuns.inc({ job: job(name), outcome }),
    collectAtScrape(given) {
      readers = given;
    },
    async render() {
      await readReleases();
      return registry.metrics();
    },
  };
}
