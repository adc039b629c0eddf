/**
 * Posting to a `response_url` (the answer to a command or a click), over
 * node:http(s) with kept-alive connections instead of `fetch`.
 *
 * Why: every answer goes this way, and under a burst there are as many as
 * requests. Node's fetch (undici) builds a web stream pair, an AbortSignal, a
 * Request and a Response for each call; Bolt's `respond` then never reads the
 * answer's body, so its connection stays taken until the Response is
 * collected. Measured in the bot's own process under the bench's burst of
 * `/release status` (`npm run -s bench`), fetch was the largest allocator (a
 * fifth of all bytes) and its largest CPU cost after the GC. Here a post is
 * one request on a pooled socket, and the answer is read to its end at once,
 * which frees the socket for the next post.
 *
 * Only the answers go here. Web API calls stay on the WebClient's fetch.
 */
import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/web-api';
import type { SlackFetch } from './web-api-metrics';

type FetchRequestInit = Parameters<FetchFunction>[1];

/** What Slack answered a post: the status, and for a refusal its body (at most MAX_ERROR_BODY_CHARS). */
export interface ResponseUrlAnswer {
  status: number;
  statusText: string;
  /** The body of a non-2xx answer (Slack says why: `expired_url`, `invalid_blocks`…); '' for a 2xx. */
  errorBody: string;
}

/** How long a post may take once it is sent, connection included, before it fails (ms). Waiting for its turn does not count. */
export const RESPONSE_URL_TIMEOUT_MS = 10_000;
/**
 * Posts sent at once by the process; the others wait their turn as a few
 * hundred bytes each (not as an open request). A burst the bot refuses is a
 * busy answer per request, all of which must arrive: with the wait counted in
 * the timeout, 12,000 of them at once on a loaded machine lost 1,252
 * (test/process/overload.test.ts).
 */
export const MAX_CONCURRENT_POSTS = 32;
/** A refusal's body kept for the log: Slack's are a few dozen bytes. */
export const MAX_ERROR_BODY_CHARS = 4_096;
/** An idle kept-alive socket is closed after this (ms): below the usual server-side keep-alive timeouts. */
const IDLE_SOCKET_MS = 4_000;

let agents: { http: http.Agent; https: https.Agent } | undefined;

let postsSending = 0;
const postsWaiting: Array<() => void> = [];

/** Resolves when a post may be sent (at most MAX_CONCURRENT_POSTS at once, in the order they came). */
function turnToSend(): Promise<void> {
  if (postsSending < MAX_CONCURRENT_POSTS) {
    postsSending += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => postsWaiting.push(resolve));
}

function sendingDone(): void {
  const next = postsWaiting.shift();
  if (next) next();
  else postsSending -= 1;
}

/** One kept-alive pool per protocol for the process, made on first use (like Node's global agents). */
function agentsForProcess(): { http: http.Agent; https: https.Agent } {
  agents ??= {
    http: new http.Agent({ keepAlive: true, maxSockets: MAX_CONCURRENT_POSTS, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, maxSockets: MAX_CONCURRENT_POSTS, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  };
  return agents;
}

/** A network error of a request sent on a kept-alive socket that the server had closed meanwhile: the request never reached it. */
function isStaleSocket(request: http.ClientRequest, error: NodeJS.ErrnoException, answered: boolean): boolean {
  return !answered && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

/**
 * POSTs `body` (JSON text) to `url`; resolves with Slack's status once the
 * answer has been read whole, rejects on a network failure or after
 * `timeoutMs`. An http(s) URL only: anything else is refused before a byte is
 * sent. Like Bolt's fetch-based `respond`, it does not follow redirects (Slack
 * answers a response_url itself) and reads no proxy settings.
 *
 * A post sent on a kept-alive socket that the server closed while it was idle
 * fails with ECONNRESET before any answer: it never reached the server, so it
 * is sent once more, on a new connection (Node's documented remedy for that
 * race). Any other failure is the caller's.
 */
export async function postToResponseUrl(options: { url: string | URL; body: string; timeoutMs?: number }): Promise<ResponseUrlAnswer> {
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`a response_url must be http(s), not ${url.protocol}`);
  await turnToSend();
  try {
    return await sendPost(url, options.body, options.timeoutMs ?? RESPONSE_URL_TIMEOUT_MS);
  } finally {
    sendingDone();
  }
}

/** One post, its turn come: sent, and once more on a new connection if a kept-alive one turned out stale. */
function sendPost(url: URL, body: string, timeoutMs: number): Promise<ResponseUrlAnswer> {
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const pool = agentsForProcess();
  return new Promise((resolve, reject) => {
    let current: http.ClientRequest | undefined;
    const timer = setTimeout(() => current?.destroy(new Error(`response_url did not answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    const send = (mayRetry: boolean): void => {
      const request = transport.request(url, {
        method: 'POST',
        agent: secure ? pool.https : pool.http,
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
      });
      current = request;
      let answered = false;
      request.once('error', (error: NodeJS.ErrnoException) => {
        if (mayRetry && isStaleSocket(request, error, answered)) send(false);
        else fail(error);
      });
      request.once('response', (response) => {
        answered = true;
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        let errorBody = '';
        if (ok) response.resume();
        else {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (errorBody.length < MAX_ERROR_BODY_CHARS) errorBody = (errorBody + chunk).slice(0, MAX_ERROR_BODY_CHARS);
          });
        }
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status, statusText: response.statusMessage ?? '', errorBody });
        });
        response.once('error', fail);
      });
      request.end(body);
    };
    send(true);
  });
}

/** Statuses a fetch Response may carry a body with (it refuses one on 204, 205 and 304). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Slack's answer as the fetch Response that Bolt's `respond` expects (it reads `ok` and `status`). */
export function answerAsResponse(answer: ResponseUrlAnswer): Response {
  if (answer.status < 200 || answer.status > 599) throw new Error(`response_url answered HTTP ${answer.status}`);
  const body = answer.errorBody === '' || NULL_BODY_STATUSES.has(answer.status) ? null : answer.errorBody;
  return new Response(body, { status: answer.status, statusText: answer.statusText });
}

/** Whether a WebClient/Bolt fetch call is an answer to a response_url: a POST of JSON text, without a signal, to a URL that is not a Web API method's. */
export function isResponseUrlPost(input: string | URL, init: FetchRequestInit | undefined, apiUrl: string): boolean {
  if (init?.method !== 'POST' || typeof init.body !== 'string' || init.signal) return false;
  const href = typeof input === 'string' ? input : input.href;
  if (href.startsWith(apiUrl)) return false;
  const contentType = Object.entries(init.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return contentType.startsWith('application/json');
}

/** A fetch that answers response_urls through `postToResponseUrl` and hands every other call to `base`. */
export function withResponseUrlPosts(base: SlackFetch, apiUrl: string): SlackFetch {
  return async (input, init) => {
    if (typeof init?.body === 'string' && isResponseUrlPost(input, init, apiUrl)) {
      return answerAsResponse(await postToResponseUrl({ url: input, body: init.body }));
    }
    return base(input, init);
  };
}
