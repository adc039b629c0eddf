/**
 * Every HTTP attempt to GitHub, told to an observer (the metrics): its route template (`GET
 * /repos/{owner}/{repo}/git/ref/{ref}`, never a URL with values in it), its result and whether it repeats an
 * earlier attempt (plugin-retry and plugin-throttling call the inner request again with the same options
 * object), and GitHub's `x-ratelimit-remaining`. Registered as the first Octokit plugin, so its hook is the
 * innermost but for authentication: it sees each attempt, not each call.
 */
import type { CallResult } from '../metrics';
import { toGitHubError } from './errors';

export interface GitHubCallObserver {
  githubCall(route: string, result: CallResult, retry: boolean): void;
  githubRateLimitRemaining(resource: string, remaining: number): void;
}

type Headers = Record<string, string | number | undefined>;

interface HookOptions {
  method?: string;
  url?: string;
  baseUrl?: string;
}

/** `METHOD /path/template`: a template stays as it is; a full URL (a pagination link) keeps its path with numbers as `{n}`. */
export function routeTemplateOf(options: HookOptions): string {
  const method = (options.method ?? 'GET').toUpperCase();
  let path = options.url ?? '/';
  if (options.baseUrl && path.startsWith(options.baseUrl)) path = path.slice(options.baseUrl.length);
  if (/^[a-z]+:\/\//i.test(path)) path = URL.canParse(path) ? new URL(path).pathname : '/unparsable';
  path = path.split('?')[0] ?? '/';
  path = path.replace(/\/\d+(?=\/|$)/g, '/{n}').replace(/\/[0-9a-f]{40}(?=\/|$)/gi, '/{sha}');
  return `${method} ${path}`;
}

function resultOfError(error: unknown): CallResult {
  const mapped = toGitHubError(error);
  switch (mapped.kind) {
    case 'rate-limited':
      return 'rate-limited';
    case 'permission':
      return 'forbidden';
    case 'not-found':
    case 'bad-request':
      return 'client-error';
    case 'unavailable':
      return mapped.status !== null && mapped.status >= 500 ? 'server-error' : 'network';
    default:
      return mapped.status !== null && mapped.status >= 500 ? 'server-error' : 'client-error';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function headersOf(value: unknown): Headers | undefined {
  if (!isRecord(value)) return undefined;
  const direct = value.headers;
  if (isRecord(direct)) return direct as Headers;
  return isRecord(value.response) && isRecord(value.response.headers) ? (value.response.headers as Headers) : undefined;
}

/** A GraphQL answer of 200 whose errors say RATE_LIMITED (plugin-throttling turns it into a failure outside this hook). */
function isGraphQlRateLimited(response: unknown): boolean {
  if (!isRecord(response) || !isRecord(response.data) || !Array.isArray(response.data.errors)) return false;
  return response.data.errors.some((entry: unknown) => isRecord(entry) && entry.type === 'RATE_LIMITED');
}

function observeRateLimit(observer: GitHubCallObserver, headers: Headers | undefined): void {
  const remaining = Number(headers?.['x-ratelimit-remaining']);
  if (headers?.['x-ratelimit-remaining'] === undefined || !Number.isFinite(remaining)) return;
  observer.githubRateLimitRemaining(String(headers['x-ratelimit-resource'] ?? 'core'), remaining);
}

/** The `request` hook of one Octokit client (plugin-style: call it before the other plugins register theirs). */
export function attemptHook(observer: GitHubCallObserver) {
  const seen = new WeakSet<object>();
  return async <O extends HookOptions, R>(request: (options: O) => R | Promise<R>, options: O): Promise<R> => {
    const route = routeTemplateOf(options);
    const retry = seen.has(options);
    seen.add(options);
    let response: R;
    try {
      response = await request(options);
    } catch (error) {
      observeRateLimit(observer, headersOf(error));
      observer.githubCall(route, resultOfError(error), retry);
      throw error;
    }
    observeRateLimit(observer, headersOf(response));
    observer.githubCall(route, isGraphQlRateLimited(response) ? 'rate-limited' : 'ok', retry);
    return response;
  };
}
