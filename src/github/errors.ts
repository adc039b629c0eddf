// Typed errors of the GitHub adapter. Every failure that leaves src/github is a
// GitHubError whose `userMessage` can be shown to a Slack user as is; `message`
// is the technical text for logs. Nothing here ever holds the token: Octokit
// redacts the authorization header of the requests it attaches to its errors,
// and we copy only status, headers we read and GitHub's own message.

export type GitHubErrorKind = 'unavailable' | 'rate-limited' | 'permission' | 'not-found' | 'bad-request' | 'unexpected';

interface GitHubErrorDetails {
  status?: number | null;
  requestId?: string | null;
  cause?: unknown;
}

export class GitHubError extends Error {
  readonly kind: GitHubErrorKind;
  /** A sentence a Slack user understands, e.g. "GitHub is not answering (HTTP 502)." */
  readonly userMessage: string;
  /** HTTP status of GitHub's answer, null when there was none (timeout, network). */
  readonly status: number | null;
  /** GitHub's `x-github-request-id`, worth quoting to GitHub support. */
  readonly requestId: string | null;

  constructor(kind: GitHubErrorKind, message: string, userMessage: string, details: GitHubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.userMessage = userMessage;
    this.status = details.status ?? null;
    this.requestId = details.requestId ?? null;
  }
}

export type UnavailableReason = 'server-error' | 'timeout' | 'network';

/** GitHub answered 5xx (after retries), did not answer in time, or could not be reached. */
export class GitHubUnavailableError extends GitHubError {
  readonly reason: UnavailableReason;

  constructor(reason: UnavailableReason, message: string, userMessage: string, details: GitHubErrorDetails = {}) {
    super('unavailable', message, userMessage, details);
    this.reason = reason;
  }
}

/** A primary or secondary rate limit that we did not (or could no longer) wait for. */
export class GitHubRateLimitedError extends GitHubError {
  /** Seconds until GitHub accepts requests again, when GitHub said so. */
  readonly retryAfterSeconds: number | null;
  readonly limit: 'primary' | 'secondary';

  constructor(limit: 'primary' | 'secondary', retryAfterSeconds: number | null, message: string, details: GitHubErrorDetails = {}) {
    const wait = retryAfterSeconds === null ? 'later' : `in ${formatWait(retryAfterSeconds)}`;
    super('rate-limited', message, `GitHub is rate-limiting the bot; try again ${wait}.`, details);
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 401, or a 403 that is not a rate limit: the token is wrong or lacks a scope / permission. */
export class GitHubPermissionError extends GitHubError {
  /** Scopes the token has (`x-oauth-scopes`), null when GitHub did not say (fine-grained tokens, apps). */
  readonly tokenScopes: string[] | null;
  /** Scopes that would have been accepted (`x-accepted-oauth-scopes`), null when GitHub did not say. */
  readonly acceptedScopes: string[] | null;
  /** Accepted scopes the token lacks (any one of them would do); empty when unknown. */
  readonly missingScopes: string[];

  constructor(
    message: string,
    userMessage: string,
    scopes: { tokenScopes: string[] | null; acceptedScopes: string[] | null },
    details: GitHubErrorDetails = {},
  ) {
    super('permission', message, userMessage, details);
    this.tokenScopes = scopes.tokenScopes;
    this.acceptedScopes = scopes.acceptedScopes;
    this.missingScopes = missingScopes(scopes.tokenScopes, scopes.acceptedScopes);
  }
}

export class GitHubNotFoundError extends GitHubError {
  constructor(message: string, userMessage: string, details: GitHubErrorDetails = {}) {
    super('not-found', message, userMessage, details);
  }
}

/** GitHub refused the request itself (400/409/422, GraphQL validation errors): a bug or a bad input. */
export class GitHubBadRequestError extends GitHubError {
  constructor(message: string, userMessage: string, details: GitHubErrorDetails = {}) {
    super('bad-request', message, userMessage, details);
  }
}

/** Thrown by our own per-request timeout; deliberately not an Octokit RequestError so plugin-retry leaves it alone. */
export class GitHubTimeoutError extends GitHubUnavailableError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, cause?: unknown) {
    super('timeout', `GitHub request timed out after ${timeoutMs} ms`, `GitHub did not answer within ${formatWait(timeoutMs / 1000)}.`, {
      cause,
    });
    this.timeoutMs = timeoutMs;
  }
}

// ---------------------------------------------------------------------------
// Mapping Octokit's errors

type Headers = Record<string, string | number | undefined>;

interface HttpErrorLike {
  status: number;
  message: string;
  headers: Headers;
  data: unknown;
  hasResponse: boolean;
  /** The error under Octokit's RequestError (fetch's own error for network failures). */
  cause: unknown;
  original: unknown;
}

interface GraphQlErrorEntry {
  type?: string;
  message: string;
}

/**
 * Maps anything Octokit (or our request wrapper) throws to a GitHubError:
 * RequestError (HTTP status), GraphqlResponseError (HTTP 200 with `errors`),
 * plugin-throttling's "GraphQL Rate Limit Exceeded", timeouts and network errors.
 */
export function toGitHubError(err: unknown): GitHubError {
  if (err instanceof GitHubError) return err;

  const graphqlErrors = graphQlErrorsOf(err);
  if (graphqlErrors) return fromGraphQlErrors(graphqlErrors, headersOf(err), err);

  if (isAbortLike(err)) {
    return new GitHubUnavailableError('timeout', `GitHub request aborted: ${messageOf(err)}`, 'GitHub did not answer in time.', {
      cause: err,
    });
  }

  const http = httpErrorOf(err);
  if (http) return fromHttpError(http);

  return new GitHubError(
    'unexpected',
    `Unexpected error talking to GitHub: ${messageOf(err)}`,
    'Something went wrong while talking to GitHub.',
    {
      cause: err,
    },
  );
}

function fromHttpError(e: HttpErrorLike): GitHubError {
  const requestId = header(e.headers, 'x-github-request-id');
  const details = { status: e.hasResponse ? e.status : null, requestId, cause: e.original };
  const githubMessage = messageFromBody(e.data) ?? e.message;

  if (!e.hasResponse) {
    // Octokit turns fetch failures (connection refused, reset, DNS) into status 500 without a response.
    if (isAbortLike(e.cause)) {
      return new GitHubUnavailableError('timeout', `GitHub request aborted: ${e.message}`, 'GitHub did not answer in time.', details);
    }
    return new GitHubUnavailableError('network', `GitHub unreachable: ${e.message}`, 'GitHub cannot be reached right now.', details);
  }

  const rateLimited = rateLimitOf(e.status, e.headers, githubMessage);
  if (rateLimited)
    return new GitHubRateLimitedError(
      rateLimited.limit,
      rateLimited.retryAfterSeconds,
      `GitHub rate limit (HTTP ${e.status}): ${githubMessage}`,
      details,
    );

  if (e.status >= 500) {
    return new GitHubUnavailableError(
      'server-error',
      `GitHub HTTP ${e.status}: ${githubMessage}`,
      `GitHub is not answering (HTTP ${e.status}).`,
      details,
    );
  }
  if (e.status === 401) {
    return new GitHubPermissionError(
      `GitHub HTTP 401: ${githubMessage}`,
      "GitHub rejected the bot's token (bad credentials): an admin must give the bot a valid GitHub token.",
      scopesOf(e.headers),
      details,
    );
  }
  if (e.status === 403) return permissionError(`GitHub HTTP 403: ${githubMessage}`, githubMessage, scopesOf(e.headers), details);
  if (e.status === 404) {
    return new GitHubNotFoundError(
      `GitHub HTTP 404: ${githubMessage}`,
      "GitHub could not find that (or the bot's token is not allowed to see it).",
      details,
    );
  }
  return new GitHubBadRequestError(`GitHub HTTP ${e.status}: ${githubMessage}`, `GitHub refused the request: ${githubMessage}`, details);
}

function fromGraphQlErrors(errors: GraphQlErrorEntry[], headers: Headers, cause: unknown): GitHubError {
  const requestId = header(headers, 'x-github-request-id');
  const details = { status: 200, requestId, cause };
  const summary = errors.map((e) => (e.type ? `${e.type}: ${e.message}` : e.message)).join('; ');
  const first = errors[0];
  const firstMessage = first?.message ?? 'unknown GraphQL error';
  const types = new Set(errors.map((e) => e.type ?? ''));

  if (types.has('RATE_LIMITED')) {
    return new GitHubRateLimitedError('primary', secondsUntilReset(headers), `GitHub GraphQL rate limit: ${summary}`, details);
  }
  if (types.has('INSUFFICIENT_SCOPES') || types.has('FORBIDDEN')) {
    const scopes = scopesOf(headers);
    const accepted = scopes.acceptedScopes ?? scopesFromInsufficientScopesMessage(errors);
    return permissionError(
      `GitHub GraphQL: ${summary}`,
      firstMessage,
      { tokenScopes: scopes.tokenScopes, acceptedScopes: accepted },
      details,
    );
  }
  if (types.has('NOT_FOUND')) {
    return new GitHubNotFoundError(
      `GitHub GraphQL: ${summary}`,
      "GitHub could not find that (or the bot's token is not allowed to see it).",
      details,
    );
  }
  if (types.has('SERVICE_UNAVAILABLE') || /something went wrong while executing your query/i.test(summary)) {
    return new GitHubUnavailableError(
      'server-error',
      `GitHub GraphQL: ${summary}`,
      'GitHub is not answering (its GraphQL API failed).',
      details,
    );
  }
  return new GitHubBadRequestError(`GitHub GraphQL: ${summary}`, `GitHub refused the bot's query: ${firstMessage}`, details);
}

function permissionError(
  message: string,
  githubMessage: string,
  scopes: { tokenScopes: string[] | null; acceptedScopes: string[] | null },
  details: GitHubErrorDetails,
): GitHubPermissionError {
  const missing = missingScopes(scopes.tokenScopes, scopes.acceptedScopes);
  let userMessage: string;
  if (missing.length > 0) {
    const needed = missing.length === 1 ? `the \`${missing[0]}\` scope` : `one of the scopes ${missing.map((s) => `\`${s}\``).join(', ')}`;
    const has = scopes.tokenScopes && scopes.tokenScopes.length > 0 ? scopes.tokenScopes.map((s) => `\`${s}\``).join(', ') : 'no scopes';
    userMessage = `The bot's GitHub token is missing ${needed} (it has ${has}): an admin must grant it.`;
  } else {
    userMessage = `GitHub refused the bot's token permission: ${githubMessage}`;
  }
  return new GitHubPermissionError(message, userMessage, scopes, details);
}

function missingScopes(tokenScopes: string[] | null, acceptedScopes: string[] | null): string[] {
  if (!acceptedScopes || acceptedScopes.length === 0) return [];
  const has = new Set(tokenScopes ?? []);
  // GitHub lists every scope that would be accepted; having any one of them is enough.
  if (acceptedScopes.some((s) => has.has(s))) return [];
  return acceptedScopes;
}

function rateLimitOf(
  status: number,
  headers: Headers,
  message: string,
): { limit: 'primary' | 'secondary'; retryAfterSeconds: number | null } | null {
  if (status !== 403 && status !== 429) return null;
  const retryAfter = Number(header(headers, 'retry-after'));
  if (/secondary rate limit/i.test(message)) {
    return { limit: 'secondary', retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null };
  }
  if (header(headers, 'x-ratelimit-remaining') === '0') return { limit: 'primary', retryAfterSeconds: secondsUntilReset(headers) };
  if (status === 429 || (Number.isFinite(retryAfter) && retryAfter > 0)) {
    return { limit: 'secondary', retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null };
  }
  return null;
}

function secondsUntilReset(headers: Headers): number | null {
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return null;
  return Math.max(0, Math.ceil(reset - Date.now() / 1000));
}

function scopesOf(headers: Headers): { tokenScopes: string[] | null; acceptedScopes: string[] | null } {
  return {
    tokenScopes: scopeList(header(headers, 'x-oauth-scopes')),
    acceptedScopes: scopeList(header(headers, 'x-accepted-oauth-scopes')),
  };
}

function scopeList(value: string | null): string[] | null {
  if (value === null) return null;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// "... The 'repository' field requires one of the following scopes: ['repo'], but your token has only been granted the: ['read:org'] scopes."
function scopesFromInsufficientScopesMessage(errors: GraphQlErrorEntry[]): string[] | null {
  for (const e of errors) {
    const m = /requires one of the following scopes: \[([^\]]*)\]/.exec(e.message);
    if (m?.[1] !== undefined) {
      return m[1]
        .split(',')
        .map((s) => s.trim().replace(/^'|'$/g, ''))
        .filter((s) => s.length > 0);
    }
  }
  return null;
}

function formatWait(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

// --- duck typing of Octokit's error classes (imported packages are transitive, ESM-only) ---

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isAbortLike(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

function header(headers: Headers, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : String(value);
}

function headersOf(err: unknown): Headers {
  if (!isObject(err)) return {};
  if (isObject(err.headers)) return toHeaders(err.headers);
  if (isObject(err.response) && isObject(err.response.headers)) return toHeaders(err.response.headers);
  return {};
}

function toHeaders(value: Record<string, unknown>): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = v;
  }
  return out;
}

/** GraphqlResponseError has `errors`; plugin-throttling's GraphQL rate-limit error has `response.data.errors`. */
function graphQlErrorsOf(err: unknown): GraphQlErrorEntry[] | null {
  if (!isObject(err)) return null;
  const candidates: unknown[] = [err.errors];
  if (isObject(err.response) && isObject(err.response.data) && !('status' in err && typeof err.status === 'number')) {
    candidates.push(err.response.data.errors);
  }
  for (const c of candidates) {
    if (Array.isArray(c) && c.length > 0) {
      return c.map((e): GraphQlErrorEntry => {
        if (!isObject(e)) return { message: String(e) };
        const entry: GraphQlErrorEntry = { message: typeof e.message === 'string' ? e.message : 'unknown GraphQL error' };
        if (typeof e.type === 'string') entry.type = e.type;
        return entry;
      });
    }
  }
  return null;
}

function httpErrorOf(err: unknown): HttpErrorLike | null {
  if (!isObject(err) || typeof err.status !== 'number') return null;
  const response = isObject(err.response) ? err.response : null;
  return {
    status: err.status,
    message: typeof err.message === 'string' ? err.message : `HTTP ${err.status}`,
    headers: response && isObject(response.headers) ? toHeaders(response.headers) : {},
    data: response ? response.data : undefined,
    hasResponse: response !== null,
    cause: err instanceof Error ? err.cause : undefined,
    original: err,
  };
}

function messageFromBody(data: unknown): string | null {
  if (isObject(data) && typeof data.message === 'string') return data.message;
  if (typeof data === 'string' && data.length > 0) return data.slice(0, 300);
  return null;
}
