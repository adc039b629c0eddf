// The GitHub App side of the fake GitHub: `POST /app/installations/{id}/access_tokens`
// checks the App's JWT as GitHub does (RS256 signed with the App's private key,
// `iss` = the App ID, `iat` not in the future, `exp` in the future and at most
// 10 minutes after `iat`) and answers an installation token `ghs_…` that the
// fake then accepts on the API until its `expires_at`.
//
//   const app = createTestApp();                       // a fresh RSA key pair, App 424242, installation 7777
//   const github = await startFakeGitHub({ app: app.fake });
//   ... GITHUB_APP_ID: app.appId, GITHUB_APP_PRIVATE_KEY: app.privateKeyPem, GITHUB_APP_INSTALLATION_ID: app.installationId
//
// JWTs and token lifetimes are checked against the real clock, as GitHub's are;
// `expireInstallationTokens()` ends every token issued so far.

import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';

export const DOCS_APPS = 'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app';

export interface FakeGitHubAppOptions {
  /** The App ID the JWT's `iss` must name. */
  appId: string;
  /** The App's public key (PEM or KeyObject): what GitHub keeps of the key pair. */
  publicKey: string | KeyObject;
  /** The one installation of the App (on the fake's repository). */
  installationId: number;
  /** Lifetime of an installation token (GitHub: 3600 s). */
  tokenLifetimeSeconds?: number;
}

export interface IssuedToken {
  token: string;
  /** Real-clock milliseconds. */
  expiresAt: number;
}

export type AppAnswer = { status: number; body: unknown };

/** GitHub's answers to a JWT it will not take (HTTP 401). */
const JWT_UNDECODABLE = 'A JSON web token could not be decoded';

export class FakeGitHubApp {
  readonly appId: string;
  readonly installationId: number;
  tokenLifetimeSeconds: number;
  /** Every installation token issued, oldest first. */
  readonly issued: IssuedToken[] = [];
  private readonly publicKey: KeyObject;

  constructor(options: FakeGitHubAppOptions) {
    this.appId = options.appId;
    this.installationId = options.installationId;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  }

  /** How many `access_tokens` requests were answered with a token. */
  get tokenCount(): number {
    return this.issued.length;
  }

  /** Ends every installation token issued so far (as if an hour had passed on GitHub's side). */
  expireInstallationTokens(): void {
    for (const issued of this.issued) issued.expiresAt = 0;
  }

  /** Whether `token` is an installation token of this App that has not expired. */
  acceptsInstallationToken(token: string): boolean {
    const issued = this.issued.find((t) => t.token === token);
    return issued !== undefined && issued.expiresAt > Date.now();
  }

  isInstallationToken(token: string): boolean {
    return this.issued.some((t) => t.token === token);
  }

  /** `POST /app/installations/{installationId}/access_tokens`, authorized by `authorization` (Bearer JWT). */
  createAccessToken(installationId: string, authorization: string | undefined): AppAnswer {
    const jwtProblem = this.checkJwt(/^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]);
    if (jwtProblem) return { status: 401, body: { message: jwtProblem, documentation_url: DOCS_APPS, status: '401' } };
    if (installationId !== String(this.installationId)) {
      return { status: 404, body: { message: 'Not Found', documentation_url: DOCS_APPS, status: '404' } };
    }
    const issued: IssuedToken = {
      token: `ghs_${randomBytes(18).toString('hex')}`,
      expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000,
    };
    this.issued.push(issued);
    return {
      status: 201,
      body: {
        token: issued.token,
        // GitHub answers whole seconds.
        expires_at: new Date(Math.floor(issued.expiresAt / 1000) * 1000).toISOString(),
        permissions: {
          actions: 'write',
          checks: 'read',
          contents: 'write',
          issues: 'write',
          metadata: 'read',
          pull_requests: 'read',
          statuses: 'read',
        },
        repository_selection: 'selected',
      },
    };
  }

  /** GitHub's message for a JWT it refuses, or null when the JWT is good. */
  private checkJwt(jwt: string | undefined): string | null {
    const parts = jwt?.split('.') ?? [];
    if (parts.length !== 3) return JWT_UNDECODABLE;
    const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
    const header = decodeJson(headerPart);
    const payload = decodeJson(payloadPart);
    if (!header || !payload || header.alg !== 'RS256') return JWT_UNDECODABLE;
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      this.publicKey,
      Buffer.from(signaturePart, 'base64url'),
    );
    if (!signed) return JWT_UNDECODABLE;
    const { iat, exp, iss } = payload;
    if (typeof iat !== 'number' || !Number.isInteger(iat)) {
      return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
    }
    if (typeof exp !== 'number' || !Number.isInteger(exp)) {
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
    }
    const nowSeconds = Math.floor(Date.now() / 1000);
    // GitHub allows some clock drift on `iat`, none past `exp`, and at most 10 minutes between them.
    if (iat > nowSeconds + 60) return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
    if (exp <= nowSeconds) {
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
    }
    if (exp - iat > 600 || exp > nowSeconds + 600) return "'Expiration time' claim ('exp') is too far in the future.";
    if (String(iss) !== this.appId) return 'Integration not found';
    return null;
  }
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A test App: a fresh RSA key pair, the settings the bot is given, and the fake's side of it. */
export interface TestApp {
  appId: string;
  installationId: string;
  /** PKCS#1 PEM, as GitHub generates it ("-----BEGIN RSA PRIVATE KEY-----"). */
  privateKeyPem: string;
  publicKey: KeyObject;
  /** Options for `startFakeGitHub({ app })`. */
  fake: FakeGitHubAppOptions;
}

export function createTestApp(options: { appId?: string; installationId?: number; tokenLifetimeSeconds?: number } = {}): TestApp {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = options.appId ?? '424242';
  const installationId = options.installationId ?? 7777;
  const fake: FakeGitHubAppOptions = { appId, publicKey, installationId };
  if (options.tokenLifetimeSeconds !== undefined) fake.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
  return {
    appId,
    installationId: String(installationId),
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKey,
    fake,
  };
}
