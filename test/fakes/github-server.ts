// A stateful fake of GitHub's REST and GraphQL APIs on loopback, for tests:
//
//   const github = await startFakeGitHub();            // owner mozilla, repo fxa, token 'test-token'
//   const main = github.addCommit();
//   github.setBranch('main', main);
//   github.addTag('v1.300.0', main, { annotated: true });
//   github.setCheckRun(main, { name: 'test_and_deploy_tag', status: 'completed', conclusion: 'success' });
//   github.addPullRequest({ title: 'Fix', authorLogin: 'alice' });
//   github.injectFault({ status: 502 });               // the next request answers 502
//   ... createGitHubClient({ baseUrl: github.url, token: github.token, ... })
//   await github.close();
//
// GraphQL is at `${url}/graphql` and executed with graphql-js against a subset
// of GitHub's schema (github-schema.ts). Every request is logged in `requests`,
// with the credential it carried. With `app` (github-app.ts) the fake is also a
// GitHub App's side: it issues installation tokens and accepts them as GitHub does.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../support/http';
import { FakeGitHubApp, type FakeGitHubAppOptions } from './github-app';
import { operationNameOf, runGraphQL } from './github-graphql';
import { DOCS, handleRest } from './github-rest';
import { FakeGitHubState } from './github-state';

export type {
  AddPullRequestInput,
  AddWorkflowRunInput,
  CheckConclusion,
  CheckRunConclusion,
  CheckStatus,
  FakeCheckRun,
  FakeCommit,
  FakePullRequest,
  FakeTag,
  FakeWorkflow,
  FakeWorkflowDispatch,
  FakeWorkflowRun,
  SetCheckRunInput,
} from './github-state';

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /**
   * Scopes of the classic token, reported in `x-oauth-scopes` and enforced on the GraphQL fields that need one
   * (`User.email`: `read:user` or `user:email`). Default repo, workflow, read:user (the README's list);
   * an empty list stands for a token without scopes to check (fine-grained, GitHub App).
   */
  tokenScopes?: string[];
  /** Also be a GitHub App's side: `POST /app/installations/{id}/access_tokens` and its installation tokens. */
  app?: FakeGitHubAppOptions;
}

/**
 * What a request's `Authorization` carried: the personal `token`, a valid GitHub App `installation` token,
 * one that has `expired`, an App `jwt`, something `invalid`, or `none`.
 */
export type FakeCredential = 'token' | 'installation' | 'expired' | 'jwt' | 'invalid' | 'none';

export interface FakeRequest {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  query: URLSearchParams;
  /** GraphQL requests only. */
  operationName?: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status answered; undefined while pending (or hanging). */
  status?: number;
  credential: FakeCredential;
  /** The installation token used, when `credential` is installation or expired. */
  installationToken?: string;
}

export type FakeFault =
  | { status: 500 | 502 | 503 | 504; body?: unknown }
  /** GitHub answers a secondary rate limit with 403 or 429 (its docs say either), always with Retry-After. Default 403. */
  | { secondaryRateLimit: { retryAfterSeconds: number; status?: 403 | 429 } }
  | { primaryRateLimit: { resetInSeconds: number } }
  | { forbidden: { acceptedScopes: string[]; tokenScopes: string[]; message?: string } }
  | { delayMs: number }
  | { hang: true };

export interface FaultOptions {
  /** How many matching requests the fault applies to (default 1; Infinity for all). */
  times?: number;
  /** Which requests it applies to (default: any). */
  match?: (request: FakeRequest) => boolean;
}

interface ArmedFault {
  fault: FakeFault;
  remaining: number;
  match: (request: FakeRequest) => boolean;
}

const STATUS_TEXT: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export class FakeGitHub extends FakeGitHubState {
  readonly token: string;
  readonly tokenScopes: string[];
  /** The GitHub App side, when the fake was started with `app`. */
  readonly app: FakeGitHubApp | null;
  readonly requests: FakeRequest[] = [];
  private readonly server: Server;
  private readonly faults: ArmedFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<ServerResponse>();
  private baseUrl = '';
  private requestSeq = 0;
  private closed = false;

  constructor(options: FakeGitHubOptions = {}) {
    super(options.owner ?? 'mozilla', options.repo ?? 'fxa');
    this.token = options.token ?? 'test-token';
    this.tokenScopes = options.tokenScopes ?? ['repo', 'workflow', 'read:user'];
    this.app = options.app ? new FakeGitHubApp(options.app) : null;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ message: `fake GitHub crashed: ${err instanceof Error ? err.message : String(err)}` }));
        }
      });
    });
  }

  /** e.g. http://127.0.0.1:PORT — Octokit's baseUrl; GraphQL at `${url}/graphql`. */
  get url(): string {
    return this.baseUrl;
  }

  async listen(): Promise<void> {
    this.baseUrl = await listenOnLoopback(this.server);
  }

  /** Stops the server, ending hanging and delayed requests so nothing keeps Jest alive. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const res of this.pending) res.destroy();
    this.pending.clear();
    await closeServer(this.server);
  }

  requestCount(): number {
    return this.requests.length;
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** Makes the next matching request(s) fail (or stall) as GitHub sometimes does. Faults apply in the order injected. */
  injectFault(fault: FakeFault, options: FaultOptions = {}): void {
    this.faults.push({ fault, remaining: options.times ?? 1, match: options.match ?? (() => true) });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // ---------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const isGraphQL = url.pathname === '/graphql';
    let body: unknown;
    let badJson = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        badJson = true;
      }
    }
    const { credential, installationToken } = this.credentialOf(req.headers.authorization);
    const request: FakeRequest = { method, path: url.pathname, query: url.searchParams, at: Date.now(), credential };
    if (installationToken !== undefined) request.installationToken = installationToken;
    if (isGraphQL) {
      const operationName = operationNameOf(body);
      if (operationName !== undefined) request.operationName = operationName;
    }
    this.requests.push(request);
    const requestId = `FAKE:${++this.requestSeq}`;
    // Installation tokens have permissions, not OAuth scopes: GitHub sends no x-oauth-scopes for them.
    const tokenScopes = credential === 'installation' ? [] : this.tokenScopes;
    const headers = this.commonHeaders(requestId, isGraphQL, credential === 'installation' ? null : tokenScopes);

    const fault = this.takeFault(request);
    if (fault) {
      if ('hang' in fault) {
        this.pending.add(res);
        res.on('close', () => this.pending.delete(res));
        return;
      }
      if ('delayMs' in fault) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve();
          }, fault.delayMs);
          this.timers.add(timer);
        });
        if (this.closed || res.destroyed) return;
      } else {
        this.answerFault(fault, request, res, headers, requestId, isGraphQL);
        return;
      }
    }

    const accessTokens = /^\/app\/installations\/([^/]+)\/access_tokens$/.exec(url.pathname);
    if (accessTokens && method === 'POST' && this.app) {
      const answer = this.app.createAccessToken(accessTokens[1] ?? '', req.headers.authorization);
      this.send(res, request, answer.status, answer.body, headers);
      return;
    }
    if (credential !== 'token' && credential !== 'installation') {
      const documentation = isGraphQL ? 'https://docs.github.com/graphql' : DOCS;
      this.send(res, request, 401, { message: 'Bad credentials', documentation_url: documentation, status: '401' }, headers);
      return;
    }
    if (badJson) {
      this.send(res, request, 400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' }, headers);
      return;
    }

    if (isGraphQL) {
      if (method !== 'POST') {
        this.send(res, request, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
        return;
      }
      this.send(res, request, 200, runGraphQL(this, body, { tokenScopes }), headers);
      return;
    }
    const answer = handleRest(this, { method, path: url.pathname, query: url.searchParams, body, apiUrl: this.baseUrl });
    this.send(res, request, answer.status, answer.body, { ...headers, ...answer.headers });
  }

  private takeFault(request: FakeRequest): FakeFault | null {
    for (const armed of this.faults) {
      if (armed.remaining <= 0 || !armed.match(request)) continue;
      armed.remaining--;
      return armed.fault;
    }
    return null;
  }

  private answerFault(
    fault: Exclude<FakeFault, { hang: true } | { delayMs: number }>,
    request: FakeRequest,
    res: ServerResponse,
    headers: Record<string, string>,
    requestId: string,
    isGraphQL: boolean,
  ): void {
    if ('status' in fault) {
      const body = fault.body ?? { message: STATUS_TEXT[fault.status] ?? 'Server Error' };
      this.send(res, request, fault.status, body, headers);
      return;
    }
    if ('secondaryRateLimit' in fault) {
      const status = fault.secondaryRateLimit.status ?? 403;
      this.send(
        res,
        request,
        status,
        {
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(status),
        },
        { ...headers, 'retry-after': String(fault.secondaryRateLimit.retryAfterSeconds) },
      );
      return;
    }
    if ('primaryRateLimit' in fault) {
      const reset = Math.ceil(Date.now() / 1000 + fault.primaryRateLimit.resetInSeconds);
      const limited = { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset) };
      if (isGraphQL) {
        // GitHub's GraphQL API reports an exhausted primary limit as HTTP 200 with a RATE_LIMITED error.
        this.send(
          res,
          request,
          200,
          { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] },
          limited,
        );
      } else {
        this.send(
          res,
          request,
          403,
          {
            message: `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
            status: '403',
          },
          limited,
        );
      }
      return;
    }
    const { acceptedScopes, tokenScopes, message } = fault.forbidden;
    const scoped = { ...headers, 'x-oauth-scopes': tokenScopes.join(', '), 'x-accepted-oauth-scopes': acceptedScopes.join(', ') };
    if (isGraphQL) {
      // GitHub answers a GraphQL query the token lacks scopes for with HTTP 200 and INSUFFICIENT_SCOPES.
      const quote = (scopes: string[]): string => `[${scopes.map((s) => `'${s}'`).join(', ')}]`;
      this.send(
        res,
        request,
        200,
        {
          errors: [
            {
              type: 'INSUFFICIENT_SCOPES',
              locations: [{ line: 2, column: 3 }],
              message:
                message ??
                `Your token has not been granted the required scopes to execute this query. The 'repository' field requires one of the following scopes: ${quote(acceptedScopes)}, but your token has only been granted the: ${quote(tokenScopes)} scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`,
            },
          ],
        },
        scoped,
      );
      return;
    }
    this.send(
      res,
      request,
      403,
      { message: message ?? 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
      scoped,
    );
  }

  private credentialOf(header: string | undefined): { credential: FakeCredential; installationToken?: string } {
    if (header === undefined || header === '') return { credential: 'none' };
    const presented = /^(token|bearer)\s+(\S+)$/i.exec(header)?.[2];
    if (presented === undefined) return { credential: 'invalid' };
    if (presented === this.token) return { credential: 'token' };
    if (this.app?.isInstallationToken(presented)) {
      return { credential: this.app.acceptsInstallationToken(presented) ? 'installation' : 'expired', installationToken: presented };
    }
    return { credential: presented.split('.').length === 3 ? 'jwt' : 'invalid' };
  }

  /** `tokenScopes` null: no x-oauth-scopes header (installation tokens). */
  private commonHeaders(requestId: string, isGraphQL: boolean, tokenScopes: string[] | null): Record<string, string> {
    const used = Math.min(4999, this.requestSeq);
    return {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': requestId,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - used),
      'x-ratelimit-used': String(used),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': isGraphQL ? 'graphql' : 'core',
      ...(tokenScopes ? { 'x-oauth-scopes': tokenScopes.join(', '), 'x-accepted-oauth-scopes': '' } : {}),
    };
  }

  private send(res: ServerResponse, request: FakeRequest, status: number, body: unknown, headers: Record<string, string>): void {
    if (res.destroyed) return;
    request.status = status;
    if (status === 204 || body === undefined) {
      const { 'content-type': _contentType, ...rest } = headers;
      res.writeHead(status, rest);
      res.end();
      return;
    }
    if (typeof body === 'string') {
      res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
      return;
    }
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(options);
  await fake.listen();
  return fake;
}
