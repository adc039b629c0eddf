// Builds the Octokit instance every GitHub call goes through: throttling (rate
// limits), retry (5xx), a per-request timeout, and logs forwarded to pino with
// the token redacted. It authenticates with a token (`GITHUB_TOKEN`) or as a
// GitHub App installation (app-auth.ts). Feature code never sees Octokit; adapter methods in
// src/github use it and map failures with toGitHubError.

import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from 'pino';
import { createInstallationTokens, type AppAuthRequest, type GitHubAppCredentials, type InstallationTokens } from './app-auth';
import { attemptHook, type GitHubCallObserver } from './call-metrics';
import { GitHubTimeoutError } from './errors';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Rate limits are waited for (once) only when GitHub asks for at most this long. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;
export const DEFAULT_RETRY = { retries: 2, minRetryAfterMs: 1000 } as const;

/** How the bot authenticates: a token, or as a GitHub App installation. */
export type GitHubCredentials =
  | { token: string; app?: undefined }
  | {
      token?: undefined;
      app: GitHubAppCredentials;
      /** The real clock (ms since the epoch) that installation tokens' `expires_at` is compared with. */
      wallClock: () => number;
    };

export type OctokitFactoryOptions = GitHubCredentials & {
  /** e.g. https://api.github.com, or the fake server's URL in tests. */
  baseUrl: string;
  logger: Logger;
  /** Timeout of each HTTP attempt (waits between retries are not counted). Default 10 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Retries of 5xx answers and network errors (not of timeouts: a request that
   * already took `requestTimeoutMs` is not tried again). The n-th retry waits
   * n² × minRetryAfterMs. Default 2 retries, 1000 ms.
   */
  retry?: { retries: number; minRetryAfterMs?: number };
  /** Told of every HTTP attempt (route template, result, retry) and of the rate limit left: the metrics. */
  observer?: GitHubCallObserver;
};

type OctokitPlugin = Parameters<typeof Octokit.plugin>[number];

/**
 * Aborts each HTTP attempt after `requestTimeoutMs`. Registered before the
 * throttling and retry plugins, so it wraps the innermost call (one attempt),
 * and a rate-limit wait does not count against it. A timeout is rethrown as
 * GitHubTimeoutError, which plugin-retry does not retry (it is not a RequestError).
 */
const requestTimeout: OctokitPlugin = (octokit, options) => {
  const timeoutOption: unknown = options.requestTimeoutMs;
  const timeoutMs = typeof timeoutOption === 'number' && timeoutOption > 0 ? timeoutOption : DEFAULT_REQUEST_TIMEOUT_MS;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    // before-after-hook binds every inner hook to the options object of the call,
    // so the signal must be set on that object (arguments passed to `request` are
    // ignored). `requestOptions.request` may be Octokit's shared defaults: replace
    // it rather than mutate it, and put it back for the next attempt.
    const original = requestOptions.request;
    const callerSignal = original.signal;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    requestOptions.request = { ...original, signal };
    try {
      return await request(requestOptions);
    } catch (err) {
      if (timeout.aborted && !callerSignal?.aborted) throw new GitHubTimeoutError(timeoutMs, err);
      throw err;
    } finally {
      requestOptions.request = original;
    }
  });
  return {};
};

function isCallObserver(value: unknown): value is GitHubCallObserver {
  return typeof value === 'object' && value !== null && 'githubCall' in value && 'githubRateLimitRemaining' in value;
}

/** Tells `options.callObserver` of each attempt (call-metrics.ts); registered first, so it sees attempts, not calls. */
const observeCalls: OctokitPlugin = (octokit, options) => {
  const observer: unknown = options.callObserver;
  if (isCallObserver(observer)) octokit.hook.wrap('request', attemptHook(observer));
  return {};
};

const ConductorOctokit = Octokit.plugin(observeCalls, requestTimeout, throttling, retry);
export type ConfiguredOctokit = InstanceType<typeof ConductorOctokit>;

/** An Octokit client and, for git over HTTPS, the credentials it authenticates with. */
export interface AuthenticatedOctokit {
  octokit: ConfiguredOctokit;
  /** A token valid now: `GITHUB_TOKEN`, or a fresh installation token. Never log it. */
  currentToken(): Promise<string>;
}

type OctokitRequest = ConfiguredOctokit['request'];
type RequestHook = (request: OctokitRequest, route: string, parameters?: Record<string, unknown>) => ReturnType<OctokitRequest>;

/**
 * Octokit's `authStrategy` for a GitHub App installation. Octokit calls it with its own `request` (which runs
 * every hook: timeout, throttling, retry), so the token request is handled like any other. App endpoints
 * (`/app/…`: the token request itself) carry the JWT that auth-app put on them; every other request gets
 * the installation token. The hook runs inside throttling and retry, so a retried request asks again.
 */
function installationAuthStrategy(options: {
  request: OctokitRequest;
  app: GitHubAppCredentials;
  wallClock: () => number;
  logger: Logger;
  holder: { tokens?: InstallationTokens };
}) {
  const tokens = createInstallationTokens({
    credentials: options.app,
    request: options.request as unknown as AppAuthRequest,
    logger: options.logger,
    wallClock: options.wallClock,
  });
  options.holder.tokens = tokens;
  const hook: RequestHook = async (request, route, parameters) => {
    const endpoint = request.endpoint.merge(route, parameters);
    const url = endpoint.url ?? '';
    const path = url.startsWith(endpoint.baseUrl) ? url.slice(endpoint.baseUrl.length) : url;
    if (!/^\/app(\/|$)/.test(path)) endpoint.headers.authorization = `token ${await tokens.token()}`;
    return request({ ...endpoint, url });
  };
  return Object.assign(async () => ({ type: 'token', tokenType: 'installation', token: await tokens.token() }), { hook });
}

let clientCount = 0;

export function createOctokit(options: OctokitFactoryOptions): ConfiguredOctokit {
  return createAuthenticatedOctokit(options).octokit;
}

/** The Octokit client with the token it authenticates with (for git pushes over HTTPS). */
export function createAuthenticatedOctokit(options: OctokitFactoryOptions): AuthenticatedOctokit {
  const log = options.logger.child({ component: 'github' });
  const holder: { tokens?: InstallationTokens } = {};
  const authOptions =
    options.app === undefined
      ? { auth: options.token }
      : {
          authStrategy: installationAuthStrategy,
          auth: { app: options.app, wallClock: options.wallClock, logger: log, holder },
        };
  const retries = options.retry?.retries ?? DEFAULT_RETRY.retries;
  const minRetryAfterMs = options.retry?.minRetryAfterMs ?? DEFAULT_RETRY.minRetryAfterMs;

  const onLimit =
    (limit: 'primary' | 'secondary') =>
    (retryAfter: number, requestOptions: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < 1 && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
      log.warn(
        { limit, retryAfterSeconds: retryAfter, retryCount, method: requestOptions.method, url: requestOptions.url, retrying },
        retrying ? `GitHub ${limit} rate limit: retrying in ${retryAfter} s` : `GitHub ${limit} rate limit: giving up`,
      );
      return retrying;
    };

  const octokit = new ConductorOctokit({
    ...authOptions,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'release-conductor',
    log: octokitLog(log, options.token ?? ''),
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(options.observer ? { callObserver: options.observer } : {}),
    throttle: {
      // plugin-throttling keeps its limiters in module-wide groups keyed by id:
      // a distinct id keeps two clients in one process from queueing behind each other.
      id: `release-conductor-${++clientCount}`,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
    retry: {
      retries,
      retryAfterBaseValue: minRetryAfterMs,
      // Only 5xx and network failures are worth retrying; 429 belongs to the throttling plugin.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 412, 415, 422, 429, 451],
    },
  });
  const { tokens } = holder;
  const token = options.token;
  return {
    octokit,
    currentToken: tokens ? () => tokens.token() : () => Promise.resolve(token ?? ''),
  };
}

type LogMethod = (message: string, additionalInfo?: object) => void;

/** Octokit's `log` option, forwarding to pino; never lets the token through. */
function octokitLog(logger: Logger, token: string): { debug: LogMethod; info: LogMethod; warn: LogMethod; error: LogMethod } {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error'): LogMethod =>
    (message, additionalInfo) => {
      const text = redactString(String(message), token);
      if (additionalInfo === undefined) logger[level](text);
      else logger[level]({ octokit: summarize(additionalInfo, token) }, text);
    };
  // plugin-request-log reports every HTTP attempt through info (success) and error (failure):
  // that is debug detail here; a call that finally fails is logged once by the adapter.
  return { debug: forward('debug'), info: forward('debug'), warn: forward('warn'), error: forward('info') };
}

function redactString(text: string, token: string): string {
  return token.length > 0 ? text.split(token).join('[REDACTED]') : text;
}

/** A loggable copy: request options shrink to method + url, headers named authorization are dropped, the token is masked. */
function summarize(value: unknown, token: string, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, token);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, token) };
  if (depth >= 4) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => summarize(v, token, depth + 1));
  const record = value as Record<string, unknown>;
  if (typeof record.method === 'string' && typeof record.url === 'string') {
    return { method: record.method, url: redactString(record.url, token) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (/^(authorization|auth|token|signal|request)$/i.test(key) || typeof v === 'function') continue;
    out[key] = summarize(v, token, depth + 1);
  }
  return out;
}
