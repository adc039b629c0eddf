/**
 * The built bot as a process, its database behind a TCP proxy the test controls:
 * while the database refuses or hangs, the process stays up and /readyz answers 503 with the reason
 * (promptly, not after the pool's connection timeout); once the database is back it is ready again, unrestarted.
 */
import { freshSchemaName, dropSchema, urlForSchema } from '../support/database';
import { freePort, spawnNode, waitForStatus } from '../support/process';
import { startTcpProxy } from '../db/tcp-proxy';

const env = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-processtesttoken',
  SLACK_SIGNING_SECRET: 'process-test-signing-secret',
  GITHUB_TOKEN: 'ghp_processtesttoken0123456789abcdef',
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
  GITHUB_API_URL: 'http://127.0.0.1:9',
  LOG_LEVEL: 'warn',
};

it('a database outage: the process stays up, /readyz says why it is not ready, and it recovers by itself', async () => {
  const target = new URL(urlForSchema('unused'));
  const proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || '5432') });
  const schema = freshSchemaName('proc_outage');
  const proxied = new URL(urlForSchema(schema));
  proxied.port = String(proxy.port);
  const port = await freePort();
  const bot = spawnNode('main.js', [], { ...env, DATABASE_URL: proxied.toString(), PORT: String(port), DATA_DIR: '/nonexistent' });
  const readyz = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(20_000) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  try {
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, bot, 30_000);
    await proxy.setMode('hang');
    const hanging = await Promise.all([readyz(), readyz(), readyz()]);
    for (const answer of hanging) expect(answer).toEqual({ status: 503, body: { status: 'not ready', reason: 'database not answering' } });
    await proxy.setMode('refuse');
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 503, bot);
    expect((await readyz()).body).toEqual({
      status: 'not ready',
      reason: expect.stringMatching(/^database (unreachable|connection lost)$/),
    });
    await proxy.setMode('pass');
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, bot);
    expect(bot.child.exitCode).toBeNull();
  } finally {
    bot.child.kill('SIGTERM');
    await bot.exited;
    await proxy.close();
    await dropSchema(schema);
  }
  expect(bot.output()).toContain('"msg":"readiness check failed"');
}, 90_000);
