// GitHub App authentication: the App's private key signs a JWT (RS256, by
// @octokit/auth-app), the JWT buys an installation token (`ghs_…`, one hour),
// and the installation token authenticates the REST, GraphQL and git calls.
//
// The token is kept here and replaced a few minutes before GitHub's
// `expires_at` (auth-app's own cache keeps a token for a fixed 59 minutes
// whatever GitHub answered, so it is not used). Concurrent callers share one
// refresh. The token is never logged.

import { createAppAuth } from '@octokit/auth-app';
import type { Logger } from 'pino';
import { type GitHubError, GitHubNotFoundError, GitHubPermissionError, toGitHubError } from './errors';

export interface GitHubAppCredentials {
  /** The App's ID (its settings page, "About"). */
  appId: string;
  /** The App's private key, PEM text. */
  privateKey: string;
  /** The installation on the organisation or account that holds the repository. */
  installationId: number;
}

/** An installation token is replaced this long before it expires (or after three quarters of a shorter life). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

export interface InstallationTokens {
  /**
   * A valid installation token: the one held, or a new one when it is about to expire.
   * @throws GitHubError when GitHub refuses the App's JWT or cannot answer
   */
  token(): Promise<string>;
}

type AppAuthOptions = Parameters<typeof createAppAuth>[0];
export type AppAuthRequest = NonNullable<AppAuthOptions['request']>;

/** auth-app always gets `refresh: true`, so its cache is never read: keep nothing in it. */
const noCache = { get: (): string => '', set: (): void => {} };

export function createInstallationTokens(options: {
  credentials: GitHubAppCredentials;
  /** Octokit's request (so the token request gets the same timeout, rate-limit and retry handling). */
  request: AppAuthRequest;
  logger: Logger;
  /**
   * The real clock, in milliseconds since the epoch (`expires_at` is an instant on GitHub's clock, not on the
   * bot's injected one); tests move it.
   */
  wallClock: () => number;
}): InstallationTokens {
  const { credentials, logger } = options;
  const now = options.wallClock;
  const appAuth = createAppAuth({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    installationId: credentials.installationId,
    request: options.request,
    cache: noCache,
    log: { warn: (message: string) => logger.warn(message) },
  });
  let held: { token: string; refreshAt: number } | undefined;
  let refreshing: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    let authentication: { token: string; expiresAt: string };
    try {
      authentication = await appAuth({ type: 'installation', refresh: true });
    } catch (err) {
      throw installationTokenError(err, credentials);
    }
    const fetchedAt = now();
    const expiresAt = Date.parse(authentication.expiresAt);
    const lifetime = Number.isFinite(expiresAt) ? expiresAt - fetchedAt : 60 * 60_000;
    held = { token: authentication.token, refreshAt: fetchedAt + lifetime - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetime / 4) };
    logger.info({ installationId: credentials.installationId, expiresAt: authentication.expiresAt }, 'GitHub App: new installation token');
    return authentication.token;
  }

  return {
    token() {
      if (held && now() < held.refreshAt) return Promise.resolve(held.token);
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

/** The token request failed: say which setting to check (401: the App ID or key; 404: the installation). */
function installationTokenError(err: unknown, credentials: GitHubAppCredentials): GitHubError {
  const error = toGitHubError(err);
  const details = { status: error.status, requestId: error.requestId, cause: err };
  if (error.status === 401) {
    return new GitHubPermissionError(
      `GitHub App ${credentials.appId}: installation token refused (HTTP 401): ${error.message}`,
      "GitHub refused the bot's GitHub App credentials: an admin must check GITHUB_APP_ID and the App's private key.",
      { tokenScopes: null, acceptedScopes: null },
      details,
    );
  }
  if (error.status === 404) {
    return new GitHubNotFoundError(
      `GitHub App ${credentials.appId}: installation ${credentials.installationId} not found: ${error.message}`,
      `GitHub has no installation ${credentials.installationId} of the bot's GitHub App: an admin must check GITHUB_APP_INSTALLATION_ID.`,
      details,
    );
  }
  return error;
}
