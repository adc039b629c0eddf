/**
 * Every HTTP attempt of the Slack Web API clients (the bot's and Bolt's), told to an observer (the metrics):
 * the method (`chat.postMessage`) and the result: ok, error (`ok: false`), rate-limited (429), another HTTP
 * status or no answer at all. And every retry: the WebClient retries through p-retry, whose
 * `onFailedAttempt` says whether another attempt follows; the method is read from the failure (a 429's
 * message names the URL; a failure of this fetch or an HTTP error carries it, see `methodOfFailure`).
 */
import type { FetchFunction, WebClientOptions } from '@slack/web-api';
import type { CallResult } from '../metrics';

/** A fetch as the WebClient calls it, answering with the platform's Response. */
export type SlackFetch = (url: string | URL, init?: Parameters<FetchFunction>[1]) => Promise<Response>;

export interface SlackCallObserver {
  slackCall(method: string, result: CallResult): void;
  slackRetry(method: string): void;
}

/**
 * The WebClient hands its `retryConfig` to p-retry as it is (its type names node-retry's options only), so
 * p-retry's `onFailedAttempt` is called after each failed attempt, with the attempts left.
 */
type RetryConfig = NonNullable<WebClientOptions['retryConfig']> & {
  onFailedAttempt?: (error: Error & { attemptNumber: number; retriesLeft: number }) => void | Promise<void>;
};

/** The header this wrapper adds to a non-200 answer, so that the WebClient's HTTP error names the method. */
const METHOD_HEADER = 'x-release-conductor-method';

/** `chat.postMessage` from `https://slack.com/api/chat.postMessage`; `other` for anything that is not a method's URL. */
export function slackMethodOf(url: string): string {
  const last = url.split('?')[0]?.split('/').pop() ?? '';
  return /^[a-z]+(\.[A-Za-z]+)+$/.test(last) ? last : 'other';
}

function resultOfStatus(status: number): CallResult {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'forbidden';
  return status >= 500 ? 'server-error' : 'client-error';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A Web API answer's result by its body: `ok: false` is an error, a body that is not JSON a client error. */
function resultOfBody(text: string): CallResult {
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) && body.ok === false ? 'error' : 'ok';
  } catch {
    return 'client-error';
  }
}

/**
 * The WebClient options that observe `observer`'s calls: a fetch wrapping `base` (the default: the global fetch)
 * and a `retryConfig` that reports retries. Without an observer, `base` as it is.
 */
export function observedClientOptions(
  observer: SlackCallObserver | undefined,
  retryConfig: RetryConfig,
  base: SlackFetch = globalThis.fetch,
): { fetch: SlackFetch; retryConfig: RetryConfig } {
  if (!observer) return { fetch: base, retryConfig };
  const failures = new WeakMap<object, string>();
  const methodOfFailure = (error: unknown): string => {
    if (!isRecord(error)) return 'other';
    // WebAPIRequestError: our fetch's failure, tagged below.
    if (isRecord(error.original) && failures.has(error.original)) return failures.get(error.original) ?? 'other';
    // WebAPIHTTPError: the answer's headers, tagged below.
    if (isRecord(error.headers) && typeof error.headers[METHOD_HEADER] === 'string') return error.headers[METHOD_HEADER];
    // A 429 waited out: "A rate limit was exceeded (url: https://…/chat.postMessage, retry-after: 1)".
    const url = typeof error.message === 'string' ? /\(url: ([^,\s)]+)/.exec(error.message)?.[1] : undefined;
    return url ? slackMethodOf(url) : 'other';
  };
  const observedFetch: SlackFetch = async (input, init) => {
    const method = slackMethodOf(typeof input === 'string' ? input : input.href);
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      observer.slackCall(method, 'network');
      if (isRecord(error)) failures.set(error, method);
      throw error;
    }
    const success = response.status >= 200 && response.status < 300;
    if (!success) {
      observer.slackCall(method, resultOfStatus(response.status));
      if (response.status === 429) return response;
      const headers = new Headers(response.headers);
      headers.set(METHOD_HEADER, method);
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
    // An answer to a response_url is not a Web API result: its 2xx is the whole answer (its body, if any, is "ok").
    if (method === 'other' || response.status !== 200) {
      observer.slackCall(method, 'ok');
      return response;
    }
    // The WebClient reads the body whole anyway: read it once here (not a clone, whose tee keeps both halves), and count it.
    const text = await response.text();
    observer.slackCall(method, resultOfBody(text));
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const given = retryConfig.onFailedAttempt;
  return {
    fetch: observedFetch,
    retryConfig: {
      ...retryConfig,
      onFailedAttempt: async (error) => {
        if (error.retriesLeft > 0) observer.slackRetry(methodOfFailure(error));
        await given?.(error);
      },
    },
  };
}
