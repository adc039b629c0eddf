import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, spawnNode, waitForStatus } from '../support/process';

const slackEnv = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-processtesttoken',
  SLACK_SIGNING_SECRET: 'process-test-signing-secret',
  GITHUB_TOKEN: 'ghp_processtesttoken0123456789abcdef',
  // Nothing in these tests calls Slack or GitHub; loopback keeps it that way if something did.
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
  GITHUB_API_URL: 'http://127.0.0.1:9',
  LOG_LEVEL: 'info',
};

// The embedded database (PGlite, WebAssembly) takes a few seconds to open on a quiet machine and over 40 s when the
// machine's two cores are shared by several test runs: a generous bound for being ready, not a speed target.
const EMBEDDED_READY_MS = 120_000;
jest.setTimeout(EMBEDDED_READY_MS + 60_000);

describe('the bot as a process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'conductor-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on the embedded database, migrates, is ready, stops on SIGTERM, and keeps its data', async () => {
    const port = await freePort();
    const bot = spawnNode('main.js', [], { ...slackEnv, DATA_DIR: dataDir, PORT: String(port) });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, bot, EMBEDDED_READY_MS);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      bot.child.kill('SIGTERM');
    }
    const started = Date.now();
    expect(await bot.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const logs = bot.output();
    expect(logs).toContain('"msg":"migration applied"');
    expect(logs).toContain('"msg":"stopped"');
    expect(logs).not.toContain(slackEnv.SLACK_BOT_TOKEN);

    // A second run finds the migrations it applied: the embedded data survived.
    const migrate = spawnNode('cli.js', ['migrate'], { ...slackEnv, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(await migrate.exited).toBe(0);
    expect(migrate.output()).toMatch(/Database is up to date \(\d+ migration\(s\) applied before\)/);
  });

  it('a SIGTERM during start-up still stops cleanly, with exit code 0', async () => {
    const port = await freePort();
    const bot = spawnNode('main.js', [], { ...slackEnv, DATA_DIR: dataDir, PORT: String(port) });
    // As soon as the database is open (before the server listens and the jobs start).
    const deadline = Date.now() + EMBEDDED_READY_MS;
    while (!bot.output().includes('"msg":"database connected"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('"msg":"stopped"');
  });

  it('exits non-zero on bad configuration with one line per field, no stack trace and no secret', async () => {
    const secret = 'xoxp-this-is-a-user-token-not-a-bot-token';
    const bot = spawnNode('main.js', [], { SLACK_BOT_TOKEN: secret, PORT: 'eighty', DATA_DIR: dataDir });
    expect(await bot.exited).toBe(1);
    const output = bot.output();
    expect(output).toContain('release-conductor: invalid configuration');
    expect(output).toMatch(/^ {2}SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"$/m);
    expect(output).toMatch(/^ {2}GITHUB_TOKEN: required \(or, to authenticate as a GitHub App, GITHUB_APP_ID, /m);
    expect(output).toMatch(/^ {2}PORT: /m);
    expect(output).toMatch(/^ {2}SLACK_SIGNING_SECRET: required in HTTP mode/m);
    expect(output).not.toContain(secret);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('exits non-zero with a clear message when the database stays unreachable', async () => {
    const bot = spawnNode('main.js', [], {
      ...slackEnv,
      DATABASE_URL: 'postgresql://bot:pw-not-shown@127.0.0.1:1/conductor',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '1',
      LOG_LEVEL: 'silent',
      PORT: String(await freePort()),
    });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toMatch(
      /^release-conductor: Cannot reach the database at 127\.0\.0\.1:1\/conductor after \d+ s .*Check that PostgreSQL is running/m,
    );
    expect(bot.output()).not.toContain('pw-not-shown');
  });
});
