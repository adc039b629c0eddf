// Authenticating to GitHub: GITHUB_TOKEN, or the three GitHub App variables; exactly one way.
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { createTestApp } from '../fakes/github-app';

const slack = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_SIGNING_SECRET: 'a-signing-secret' };
const app = createTestApp();
const appEnv = { GITHUB_APP_ID: app.appId, GITHUB_APP_PRIVATE_KEY: app.privateKeyPem, GITHUB_APP_INSTALLATION_ID: app.installationId };

function problemsOf(env: Record<string, string>, readFile?: (path: string) => string): string[] {
  try {
    loadConfig({ env: { ...slack, ...env }, ...(readFile ? { readFile } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('a token alone: token authentication', () => {
  expect(loadConfig({ env: { ...slack, GITHUB_TOKEN: 'ghp_x' } }).github).toEqual({ kind: 'token', token: 'ghp_x' });
});

test('the three App variables alone: App authentication', () => {
  expect(loadConfig({ env: { ...slack, ...appEnv } }).github).toEqual({
    kind: 'app',
    appId: app.appId,
    privateKey: app.privateKeyPem,
    installationId: Number(app.installationId),
  });
});

test('the key from a file, or as one line with \\n escapes (as .env files and secret stores often hold it)', () => {
  const { GITHUB_APP_PRIVATE_KEY: _key, ...withoutKey } = appEnv;
  const fromFile = loadConfig({
    env: { ...slack, ...withoutKey, GITHUB_APP_PRIVATE_KEY_PATH: '/run/secrets/app.pem' },
    readFile: (path) => (path === '/run/secrets/app.pem' ? app.privateKeyPem : ''),
  });
  expect(fromFile.github).toMatchObject({ kind: 'app', privateKey: app.privateKeyPem });
  const oneLine = loadConfig({ env: { ...slack, ...appEnv, GITHUB_APP_PRIVATE_KEY: app.privateKeyPem.replace(/\n/g, '\\n') } });
  expect(oneLine.github).toMatchObject({ kind: 'app', privateKey: app.privateKeyPem });
});

test('neither: one line naming both ways', () => {
  expect(problemsOf({})).toEqual([
    'GITHUB_TOKEN: required (or, to authenticate as a GitHub App, GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH, and GITHUB_APP_INSTALLATION_ID)',
  ]);
});

test('both: refused, naming the App variables set, echoing no value', () => {
  const problems = problemsOf({ GITHUB_TOKEN: 'ghp_secretvalue0123456789abcdef', ...appEnv });
  expect(problems).toEqual([
    'GITHUB_TOKEN: set either GITHUB_TOKEN or the GitHub App variables (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID), not both',
  ]);
});

test('an incomplete App: one line per missing variable', () => {
  expect(problemsOf({ GITHUB_APP_ID: '42' })).toEqual([
    'GITHUB_APP_INSTALLATION_ID: required to authenticate as a GitHub App',
    "GITHUB_APP_PRIVATE_KEY: required to authenticate as a GitHub App (the key's PEM text, or its file in GITHUB_APP_PRIVATE_KEY_PATH)",
  ]);
  expect(problemsOf({ GITHUB_APP_PRIVATE_KEY: app.privateKeyPem })).toEqual([
    'GITHUB_APP_ID: required to authenticate as a GitHub App',
    'GITHUB_APP_INSTALLATION_ID: required to authenticate as a GitHub App',
  ]);
  expect(problemsOf({ ...appEnv, GITHUB_APP_PRIVATE_KEY_PATH: '/app.pem' })).toEqual([
    'GITHUB_APP_PRIVATE_KEY_PATH: set GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH, not both',
  ]);
});

test('malformed values are refused at start, and no key is echoed', () => {
  const garbage = '-----BEGIN RSA PRIVATE KEY-----\nTHISISNOTAKEYbutasecretlookingvalue\n-----END RSA PRIVATE KEY-----';
  const problems = problemsOf({ GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: garbage, GITHUB_APP_INSTALLATION_ID: 'twelve' });
  expect(problems).toEqual([
    'GITHUB_APP_ID: expected the App ID, a number such as 123456 (the App\'s settings page, "About")',
    'GITHUB_APP_PRIVATE_KEY: expected an RSA private key in PEM format, the .pem file GitHub generated ("-----BEGIN RSA PRIVATE KEY-----" …)',
    'GITHUB_APP_INSTALLATION_ID: expected the installation id, a number such as 12345678',
  ]);
  expect(problems.join('\n')).not.toContain('THISISNOTAKEY');
});

test('a key that is not RSA (GitHub signs App JWTs RS256) is refused', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  expect(problemsOf({ ...appEnv, GITHUB_APP_PRIVATE_KEY: ec })).toEqual([
    expect.stringMatching(/^GITHUB_APP_PRIVATE_KEY: expected an RSA private key/),
  ]);
});

test('a key file that cannot be read, or holds no key, is one clear line', () => {
  const { GITHUB_APP_PRIVATE_KEY: _key, ...withoutKey } = appEnv;
  const env = { ...withoutKey, GITHUB_APP_PRIVATE_KEY_PATH: '/missing.pem' };
  const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  expect(
    problemsOf(env, () => {
      throw missing;
    }),
  ).toEqual(['GITHUB_APP_PRIVATE_KEY_PATH: cannot read "/missing.pem" (ENOENT)']);
  const problems = problemsOf(env, () => 'secret-looking-text');
  expect(problems).toEqual([expect.stringMatching(/^GITHUB_APP_PRIVATE_KEY_PATH: "\/missing\.pem" holds no RSA private key: expected/)]);
  expect(problems.join('\n')).not.toContain('secret-looking-text');
});
