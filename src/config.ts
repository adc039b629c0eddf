/**
 * Configuration, parsed once at start.
 *
 * Two sources, two schemas:
 * - the process environment: secrets and endpoints ({@link envSchema});
 * - an optional settings file (path in `CONDUCTOR_CONFIG`, YAML or JSON): the
 *   team's release process ({@link settingsSchema}). Every setting defaults to
 *   the Firefox Accounts value, so an empty file (or none) describes FxA.
 *
 * Only `src/main.ts` and the CLI pass `process.env` in here; everything else
 * receives the parsed {@link Config}.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time such as "10:00"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as "2026-11-04"');
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id such as "U012ABCDEF"');
const usergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'expected a user group id such as "S012ABCDEF"');
const timeZone = z.string().refine(isKnownTimeZone, 'expected an IANA time zone such as "America/Los_Angeles"');

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const PRIVATE_KEY_EXPECTED =
  'expected an RSA private key in PEM format, the .pem file GitHub generated ("-----BEGIN RSA PRIVATE KEY-----" …)';

/** Whether `pem` is an RSA private key (GitHub App keys are; the JWT is signed RS256). Never echoes the key. */
function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** Environment variables: secrets and where the outside systems are. */
export const envSchema = z.object({
  /** Bot token (`xoxb-…`) from the Slack app's "OAuth & Permissions" page. */
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'expected a bot token starting with "xoxb-"'),
  /** Signing secret from the Slack app's "Basic Information" page; verifies every HTTP request. Required in HTTP mode. */
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the signing secret from the Slack app settings').optional(),
  /** App-level token (`xapp-…`, scope `connections:write`). When set, the bot uses Socket Mode instead of HTTP. */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'expected an app-level token starting with "xapp-"')
    .optional(),
  /** Base URL of Slack's Web API; tests point it at a fake server. */
  SLACK_API_URL: z.url('expected a URL such as "https://slack.com/api/"').default('https://slack.com/api/'),
  /**
   * GitHub token with `repo`, `workflow` and `read:user` scopes (or a fine-grained token with contents, actions and pull requests).
   * Unset when the bot authenticates as a GitHub App (the three `GITHUB_APP_…` variables).
   */
  GITHUB_TOKEN: z.string().min(1, 'expected a GitHub token').optional(),
  /** The GitHub App's ID (its settings page, "About"), when the bot authenticates as a GitHub App instead of with `GITHUB_TOKEN`. */
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'expected the App ID, a number such as 123456 (the App\'s settings page, "About")').optional(),
  /** The GitHub App's private key, the PEM text of the `.pem` file GitHub generated (`\n` escapes are read as line breaks). */
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n'))
    .refine(isRsaPrivateKey, PRIVATE_KEY_EXPECTED)
    .optional(),
  /** Path of the GitHub App's private key file (`.pem`), instead of `GITHUB_APP_PRIVATE_KEY`. */
  GITHUB_APP_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  /** The GitHub App's installation on the organisation that owns the repository (the number at the end of the installation's settings URL). */
  GITHUB_APP_INSTALLATION_ID: z.coerce
    .number('expected the installation id, a number such as 12345678')
    .int('expected the installation id, a number such as 12345678')
    .positive('expected the installation id, a number such as 12345678')
    .optional(),
  /**
   * Secret of the repository's webhook (`workflow_run`, `check_run` and `status` events sent to `POST /github/webhooks`).
   * When set, the tagging watcher follows GitHub's events and polls only as a safety net; unset: it polls.
   */
  GITHUB_WEBHOOK_SECRET: z.string().min(16, 'expected the webhook secret (at least 16 characters)').optional(),
  /** Base URL of GitHub's REST API (GraphQL is at `<this>/graphql`); tests point it at a fake server. */
  GITHUB_API_URL: z.url('expected a URL such as "https://api.github.com"').default('https://api.github.com'),
  /** PostgreSQL connection string. Unset: an embedded database (PGlite) under `DATA_DIR`. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a URL starting with "postgresql://"')
    .optional(),
  /** Directory for the embedded database and other local state. */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** HTTP port for Slack's requests and the health checks (0 picks a free one). */
  PORT: z.coerce.number().int('expected a port number').min(0).max(65535).default(3000),
  /** Log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Path of the settings file (YAML or JSON). Unset: the Firefox Accounts defaults. */
  CONDUCTOR_CONFIG: z.string().min(1).optional(),
  /** Apply database migrations at start ("false" to leave it to `npm run db:migrate`). */
  MIGRATE_ON_START: z
    .enum(['true', 'false', '1', '0'], 'expected "true" or "false"')
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** How long to keep retrying an unreachable database at start, in seconds. */
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(30),
  /** How long an acked mutating request may run before another replica runs it again from its intent, in seconds. */
  INTENT_LEASE_SECONDS: z.coerce.number().min(0).max(1800).default(30),
});

/** The team's release process. Every default is the Firefox Accounts value. */
export const settingsSchema = z.object({
  /** GitHub repository that trains are cut from, as "owner/name". */
  repository: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name", e.g. "mozilla/fxa"')
    .default('mozilla/fxa'),
  /** Branch that trains are cut from and where patches must already have landed. */
  mainBranch: z.string().min(1).default('main'),
  /**
   * The repository's git remote, which dot releases fetch from and push to (a URL or a local path). Unset:
   * `https://github.com/<repository>.git`. The token goes to git through a credential helper, never in this URL.
   */
  gitRemoteUrl: z.string().min(1).optional(),
  /** Workflow file started with `workflow_dispatch` to cut a train (takes no inputs). */
  tagWorkflow: z.string().min(1).default('tag-release.yml'),
  /** Workflow file that builds Docker images, dispatched with input `git_tag`. */
  imageWorkflow: z.string().min(1).default('docker.yml'),
  /** Dispatch the image workflow after CI passes on a new tag. */
  dispatchImageWorkflow: z.boolean().default(false),
  /** Name of the train branch; `{N}` is the train number. */
  branchFormat: z.string().includes('{N}', { message: 'must contain {N}' }).default('train-{N}'),
  /** Name of a release tag; `{N}` is the train, `{P}` the patch number. */
  tagFormat: z
    .string()
    .refine((value) => value.includes('{N}') && value.includes('{P}'), 'must contain {N} and {P}')
    .default('v1.{N}.{P}'),
  /** Name of the CI check run reported on a release tag's commit. */
  ciCheckName: z.string().min(1).default('test_and_deploy_tag'),
  /** Time zone of the cutoff and of every schedule. */
  timeZone: timeZone.default('America/Los_Angeles'),
  /** Time of day (in `timeZone`) after which a PR rolls to the next train. */
  cutoffTime: timeOfDay.default('10:00'),
  /** Time of day (in `timeZone`) a train kicks off, on the day after the previous cut. */
  kickoffTime: timeOfDay.default('09:00'),
  /** How late (minutes) a kickoff announcement may still be posted, e.g. after every replica was down. */
  kickoffGraceMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(180),
  /** Hours after an owner's announcement (the kickoff's, or a re-announcement after "I can't") by which they should confirm; then the admins are told, once per owner. */
  kickoffConfirmHours: z.number().min(0.25).max(72).default(4),
  /** Working days (Mon–Fri, not `holidays`) before the cutoff day on which the check-in is posted; 0 posts it on the cutoff day. */
  checkInWorkingDaysBefore: z.number().int().min(0).max(10).default(1),
  /** Time of day (in `timeZone`) of the check-in in the team channel: the owner, the cutoff, the open PRs by author. */
  checkInTime: timeOfDay.default('10:00'),
  /** Minutes before the cutoff at which a PR sweep asks each PR author, by DM, whether their PRs will land; one sweep per entry. */
  sweepMinutesBeforeCutoff: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60),
    )
    .refine((list) => new Set(list).size === list.length, 'each sweep time may appear once')
    .default([180, 60]),
  /** Pull requests with any of these labels (compared without case) are left out of the check-in, the sweeps, the summary, the cutoff message, the last call, status and late merges at the tag. */
  ignoredPullRequestLabels: z.array(z.string().min(1)).default([]),
  /** Pull requests by these GitHub logins (compared without case; bots' dependency bumps) are left out like ignored labels: check-in, sweeps, summary, cutoff message, last call, status and late merges at the tag. */
  ignoredPullRequestAuthors: z.array(z.string().min(1)).default(['renovate[bot]', 'dependabot[bot]']),
  /** Minutes before the cutoff of the same-day last call in the team channel (what is still open, deploy notes, pre-cut checks); 0 turns it off. */
  lastCallMinutesBeforeCutoff: z
    .number()
    .int()
    .min(0)
    .max(12 * 60)
    .default(60),
  /** Chasing an untagged train: the owner is reminded by DM this many minutes after the cutoff, then the admins this many minutes after that. */
  tagChase: z
    .object({
      /** Minutes after the cutoff at which the owner of an untagged train gets a DM. */
      ownerAfterMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
      /** Minutes after the owner's reminder at which the admins get a DM, if the train is still not tagged. */
      adminsAfterMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(60),
    })
    .default({ ownerAfterMinutes: 30, adminsAfterMinutes: 60 }),
  /** Labels (compared without case) that mark a pull request as a release blocker: open ones are shown before the cut (tag confirmation, last call), and a blocker is never left out by ignoredPullRequestLabels or ignoredPullRequestAuthors. */
  releaseBlockerLabels: z.array(z.string().min(1)).default(['release-blocker']),
  /**
   * Where SRE hears of a train's special steps (deploy notes flagged for SRE), at the cutoff and at the tag:
   * a Slack user group id ("S…", mentioned in the team channel) or a channel ("C…" or "#name"). Unset: nobody beyond the team channel.
   */
  sreContact: z
    .string()
    .regex(
      /^(S[A-Z0-9]{2,}|C[A-Z0-9]{2,}|G[A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]*)$/,
      'expected a user group id (S…), a channel id (C…) or #channel-name',
    )
    .nullable()
    .default(null),
  /** How late (minutes) a check-in, PR sweep or cutoff message may still run: retries after a failure, or a restart. A sweep never runs after the cutoff. */
  reminderGraceMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /** Days between two trains. */
  cadenceDays: z.number().int().min(1).max(60).default(14),
  /** One train whose cut date is known; every other train is counted from it. */
  anchor: z
    .object({
      /** Train number. */
      train: z.number().int().min(1),
      /** Its cut date (local date in `timeZone`). */
      cutDate: isoDate,
    })
    .default({ train: 301, cutDate: '2026-10-21' }),
  /** Cut dates or train numbers whose slot is skipped (a holiday break): later trains shift by one cadence. */
  skips: z.array(z.union([isoDate, z.number().int().min(1)])).default([]),
  /** Dates with no cutoff: a cutoff on one of them moves to the next working day. */
  holidays: z.array(isoDate).default([]),
  /** Time zones every schedule is shown in, besides the reader's own. */
  displayTimeZones: z.array(timeZone).min(1).default(['America/Los_Angeles', 'America/New_York', 'UTC']),
  /** Slack channel (id such as "C012AB3CD", or "#name") for announcements. */
  announcementChannel: z.string().min(2).default('#fxa-team'),
  /** Who may edit the roster, override owners, tag and decide patches besides the current owner. */
  admins: z
    .object({
      /** Slack user ids. */
      users: z.array(slackUserId).default([]),
      /** A Slack user group id ("S…") whose members are admins. */
      usergroup: usergroupId.optional(),
    })
    .default({ users: [] }),
  /** Seconds a dashboard's GitHub read (and its database read, while nothing it reads changed) is reused by `/release status` and the Home tab: a burst of requests costs one read; 0 turns it off. */
  statusCacheSeconds: z.number().min(0).max(300).default(5),
  /** Watching a cut (`/release tag`): how often GitHub and stage are asked, and when lateness is reported. */
  tagWatch: z
    .object({
      /** First wait between two looks at GitHub or stage, in minutes; each look without news doubles it. */
      pollMinutes: z.number().int().min(1).max(60).default(1),
      /** Longest wait between two looks, in minutes. */
      maxPollMinutes: z.number().int().min(1).max(120).default(5),
      /** With GitHub webhooks configured (`GITHUB_WEBHOOK_SECRET`): minutes between the safety-net looks at GitHub. */
      webhookPollMinutes: z.number().int().min(1).max(240).default(15),
      /** How long a dispatched run may take to appear before it is reported missing (and a retry offered). */
      runAppearMinutes: z.number().int().min(1).max(240).default(10),
      /** How long the tagging workflow may run before it is reported late. */
      runMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
      /** How long CI on the tag may take before it is reported late. */
      ciMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(120),
      /** How long after CI passed stage may take to report the new tag before it is reported not there yet. */
      stageMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(120),
      /** After this many hours in one state the watch stops (lateness was reported long before). */
      giveUpHours: z
        .number()
        .int()
        .min(1)
        .max(14 * 24)
        .default(24),
    })
    .default({
      pollMinutes: 1,
      maxPollMinutes: 5,
      webhookPollMinutes: 15,
      runAppearMinutes: 10,
      runMinutes: 30,
      ciMinutes: 120,
      stageMinutes: 120,
      giveUpHours: 24,
    }),
  /** URL where stage reports its deployed version (JSON field `version`). */
  stageVersionUrl: z.url().default('https://accounts.stage.mozaws.net/__version__'),
  /** URL where production reports its deployed version (JSON field `version`). */
  productionVersionUrl: z.url().default('https://accounts.firefox.com/__version__'),
  // --- the cut after the tag: milestones, QA, production (issue 15 items 4, 7) ---
  /** The milestones of a cut the whole channel sees, besides the train's thread. */
  milestones: z
    .object({
      /** "broadcast": the thread reply is also sent to the channel; "channel": a thread reply plus a post in the channel; "thread": the thread only. */
      visibility: z.enum(['broadcast', 'channel', 'thread']).default('broadcast'),
      /** Which notices are milestones: "cut" (tagged), "ci-failed", "on-stage", "in-production", "summary" (the end-of-cut summary). */
      kinds: z
        .array(z.enum(['cut', 'ci-failed', 'on-stage', 'in-production', 'summary']))
        .default(['cut', 'ci-failed', 'on-stage', 'in-production', 'summary']),
      /** When the end-of-cut summary is posted: when the train reaches "stage", or "production". */
      summaryAt: z.enum(['stage', 'production']).default('stage'),
    })
    .default({
      visibility: 'broadcast',
      kinds: ['cut', 'ci-failed', 'on-stage', 'in-production', 'summary'],
      summaryAt: 'stage',
    }),
  /** QA's sign-off of a train on stage (`/release qa`). */
  qa: z
    .object({
      /** Engineering managers told (DM) of a yellow or red sign-off: Slack user ids. */
      managers: z.array(slackUserId).default([]),
      /** A Slack user group id ("S…") whose members are told of a yellow or red sign-off, besides `managers`. */
      managersUsergroup: usergroupId.optional(),
    })
    .default({ managers: [] }),
  /** Days a train on stage is watched for reaching production (`productionVersionUrl`) before the watch stops. */
  productionWatchDays: z.number().int().min(1).max(60).default(21),
  /**
   * Security releases (issue 16): the private repository, as "owner/name" (FxA: `mozilla/fxa-private`). Unset: the
   * `security` commands are off and say so. It gets a clone of its own, never a remote of the public one.
   */
  privateRepository: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name", e.g. "mozilla/fxa-private"')
    .optional(),
  /** The private repository's git remote (URL or local path). Unset: `https://github.com/<privateRepository>.git`. */
  privateGitRemoteUrl: z.string().min(1).optional(),
  /** Tag of a security release in the private repository; its P counts the public and the private tags of the train. */
  privateTagFormat: z
    .string()
    .includes('{N}', { message: 'must contain {N}' })
    .includes('{P}', { message: 'must contain {P}' })
    .default('v1.{N}.{P}'),
  /** A private channel (id) where `security` commands are answered too; they are always answered in a DM with the bot, never elsewhere. */
  securityChannel: z.string().min(1).optional(),
  /** The repository ("owner/name") where the uplift reminder issue of a security release is filed. Unset: `privateRepository`. */
  upliftTracker: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"')
    .optional(),
  /** Check run (job) that builds the images of a pushed tag: a temporary stage deploy waits for it. */
  stageDeployCheckName: z.string().min(1).default('deploy-packages'),
  /** Workflow that uploads `assets/` to the CDN, dispatched (on the release tag) after a release that changed them. */
  assetsWorkflow: z.string().min(1).default('upload-assets-to-cdn.yml'),
  /** Patch (dot) release requests: which trains take them, what a request must say, when undecided ones are chased. */
  patchRequests: z
    .object({
      /** How many of the latest cut trains accept patch requests (2: the train on stage and the one in production). */
      supportedTrains: z.number().int().min(1).max(10).default(2),
      /** Fewest characters a justification may have. */
      justificationMinLength: z.number().int().min(1).max(2000).default(30),
      /** Hours a request may wait for a decision before the train's owner is reminded. */
      remindOwnerAfterHours: z
        .number()
        .min(0.25)
        .max(24 * 14)
        .default(4),
      /** Hours a request may wait for a decision before the admins are told. */
      escalateAfterHours: z
        .number()
        .min(0.25)
        .max(24 * 14)
        .default(24),
      /** How often (minutes) the bot looks for undecided requests and undelivered messages. */
      checkEveryMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(15),
    })
    .default({ supportedTrains: 2, justificationMinLength: 30, remindOwnerAfterHours: 4, escalateAfterHours: 24, checkEveryMinutes: 15 })
    .refine((value) => value.escalateAfterHours > value.remindOwnerAfterHours, {
      message: 'escalateAfterHours must be later than remindOwnerAfterHours',
    }),
});

export type Env = z.infer<typeof envSchema>;
export type Settings = z.infer<typeof settingsSchema>;

/** How the bot authenticates to GitHub: `GITHUB_TOKEN`, or the three GitHub App variables. */
export type GitHubAuthConfig =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: number };

/** Everything the process needs, parsed and checked. */
export interface Config {
  env: Env;
  settings: Settings;
  /** From `GITHUB_TOKEN` or the `GITHUB_APP_…` variables (the private key read from its file). */
  github: GitHubAuthConfig;
}

/** The configuration is invalid; `problems` has one line per bad field. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeIssues(prefix: string, error: z.ZodError): string[] {
  // Zod's messages name what was expected, never the value received: a secret
  // that is merely malformed is not echoed.
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'required' : issue.message;
    return `${prefix}${field}: ${message}`;
  });
}

/** Parses the settings file's contents (YAML or JSON); an empty document means all defaults. */
export function parseSettings(options: { text: string; source: string }): Settings {
  let document: unknown;
  try {
    document = parseYaml(options.text) ?? {};
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([`${options.source}: not valid YAML or JSON (${reason})`]);
  }
  const result = settingsSchema.strict().safeParse(document);
  if (!result.success) throw new ConfigError(describeIssues(`${options.source}: `, result.error));
  return result.data;
}

/** Reads the settings file named by `CONDUCTOR_CONFIG`, or returns the FxA defaults. */
export function loadSettings(options: { path: string | undefined; readFile?: (path: string) => string }): Settings {
  if (!options.path) return settingsSchema.parse({});
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  let text: string;
  try {
    text = read(options.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`CONDUCTOR_CONFIG: cannot read "${options.path}" (${code})`]);
  }
  return parseSettings({ text, source: options.path });
}

/** Parses the environment and the settings file; throws {@link ConfigError} listing every problem. */
export function loadConfig(options: { env: Record<string, string | undefined>; readFile?: (path: string) => string }): Config {
  // An empty variable counts as unset, as in most deployment tools.
  const present = Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined && value !== ''));
  const envResult = envSchema.safeParse(present);
  const problems = envResult.success ? [] : describeIssues('', envResult.error);
  if (!present.SLACK_APP_TOKEN && !present.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set it, or set SLACK_APP_TOKEN for Socket Mode)');
  }
  const github = githubAuthOf(present, envResult.success ? envResult.data : undefined, options.readFile, problems);
  let settings: Settings | undefined;
  try {
    settings = loadSettings({ path: present.CONDUCTOR_CONFIG, readFile: options.readFile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!envResult.success || !settings || !github || problems.length > 0) throw new ConfigError(problems);
  return { env: envResult.data, settings, github };
}

const APP_VARIABLES = ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_PRIVATE_KEY_PATH', 'GITHUB_APP_INSTALLATION_ID'] as const;

/**
 * Exactly one way to authenticate to GitHub: `GITHUB_TOKEN`, or all three GitHub App values (the key as text or
 * as a file). Anything else adds one line per problem to `problems`; no value is echoed.
 */
function githubAuthOf(
  present: Record<string, string | undefined>,
  env: Env | undefined,
  readFile: ((path: string) => string) | undefined,
  problems: string[],
): GitHubAuthConfig | undefined {
  const appVariables = APP_VARIABLES.filter((name) => present[name] !== undefined);
  if (present.GITHUB_TOKEN !== undefined) {
    if (appVariables.length === 0) return env?.GITHUB_TOKEN ? { kind: 'token', token: env.GITHUB_TOKEN } : undefined;
    problems.push(`GITHUB_TOKEN: set either GITHUB_TOKEN or the GitHub App variables (${appVariables.join(', ')}), not both`);
    return undefined;
  }
  if (appVariables.length === 0) {
    problems.push(
      'GITHUB_TOKEN: required (or, to authenticate as a GitHub App, GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH, and GITHUB_APP_INSTALLATION_ID)',
    );
    return undefined;
  }
  const before = problems.length;
  const withApp = 'required to authenticate as a GitHub App';
  if (present.GITHUB_APP_ID === undefined) problems.push(`GITHUB_APP_ID: ${withApp}`);
  if (present.GITHUB_APP_INSTALLATION_ID === undefined) problems.push(`GITHUB_APP_INSTALLATION_ID: ${withApp}`);
  if (present.GITHUB_APP_PRIVATE_KEY === undefined && present.GITHUB_APP_PRIVATE_KEY_PATH === undefined) {
    problems.push(`GITHUB_APP_PRIVATE_KEY: ${withApp} (the key's PEM text, or its file in GITHUB_APP_PRIVATE_KEY_PATH)`);
  }
  if (present.GITHUB_APP_PRIVATE_KEY !== undefined && present.GITHUB_APP_PRIVATE_KEY_PATH !== undefined) {
    problems.push('GITHUB_APP_PRIVATE_KEY_PATH: set GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH, not both');
  }
  let privateKey = env?.GITHUB_APP_PRIVATE_KEY;
  const keyPath = present.GITHUB_APP_PRIVATE_KEY_PATH;
  if (keyPath !== undefined && present.GITHUB_APP_PRIVATE_KEY === undefined) {
    const read = readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    try {
      privateKey = read(keyPath);
      if (!isRsaPrivateKey(privateKey)) {
        problems.push(`GITHUB_APP_PRIVATE_KEY_PATH: "${keyPath}" holds no RSA private key: ${PRIVATE_KEY_EXPECTED}`);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`GITHUB_APP_PRIVATE_KEY_PATH: cannot read "${keyPath}" (${code})`);
    }
  }
  if (problems.length > before || !env?.GITHUB_APP_ID || !env.GITHUB_APP_INSTALLATION_ID || !privateKey) return undefined;
  return { kind: 'app', appId: env.GITHUB_APP_ID, privateKey, installationId: env.GITHUB_APP_INSTALLATION_ID };
}
