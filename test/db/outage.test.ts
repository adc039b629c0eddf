/**
 * A database outage, staged with a TCP proxy between the bot and PostgreSQL:
 * replies name the problem (for a command and a button), /readyz answers 503
 * with a reason at once while connections hang (one check in flight, not one
 * connection per probe), and the bot recovers by itself once the database is back.
 */
import { type Harness, startHarness } from '../support/harness';
import { freshSchemaName, urlForSchema } from '../support/database';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const BOB = 'U0BOB0001';
const AFTER = 'try again in a few minutes. If it keeps failing, tell whoever runs release-conductor.';
const UNREACHABLE = new RegExp(
  `^:warning: (I can't reach my database right now|I lost my connection to my database), so nothing was changed; ${AFTER.replace(/\./g, '\\.')}$`,
);
const NOT_ANSWERING = `:warning: My database is not answering right now, so nothing was changed; ${AFTER}`;

describe('a database outage', () => {
  let proxy: TcpProxy;
  let h: Harness;
  beforeAll(async () => {
    const target = new URL(urlForSchema('unused'));
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || '5432') });
    const schema = freshSchemaName('outage');
    const proxied = new URL(urlForSchema(schema));
    proxied.port = String(proxy.port);
    h = await startHarness({ schema, env: { DATABASE_URL: proxied.toString() } });
    h.slack.addUser({ id: BOB, name: 'bob', email: 'bob@example.com' });
  });
  afterAll(async () => {
    await proxy.setMode('pass');
    await h.close();
    await proxy.close();
  });

  /** The next reply through a response_url, waited for generously (a hanging database makes the bot wait for its connection). */
  async function nextReply(send: () => Promise<{ status: number }>): Promise<Record<string, unknown>> {
    const before = h.slack.responses.length;
    const response = await send();
    expect(response.status).toBe(200);
    await h.slack.waitForResponses(before + 1, 20_000);
    return h.slack.responses[before]?.body ?? {};
  }
  const command = (text: string) => nextReply(() => h.sender.sendSlashCommand({ text, userId: BOB }));
  const pressKickoff = () =>
    nextReply(() =>
      h.sender.sendBlockActions(
        h.sender.blockActionsPayload({ userId: BOB, actionId: 'kickoff_confirm', value: '303', channelId: 'C0RELEASE', messageTs: '1.0' }),
      ),
    );
  const readyz = async () => {
    const response = await fetch(`${h.bot.url}/readyz`, { signal: AbortSignal.timeout(20_000) });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  test('refused: a command and a button say the database is unreachable and nothing was changed; /readyz says so', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    await proxy.setMode('refuse');
    const added = await command('notes add written during the outage');
    expect(added.response_type).toBe('ephemeral');
    expect(added.text).toMatch(UNREACHABLE);
    const pressed = await pressKickoff();
    expect(pressed.response_type).toBe('ephemeral');
    expect(pressed.text).toMatch(UNREACHABLE);
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not ready', reason: expect.stringMatching(/^database (unreachable|connection lost)$/) });
  });

  test('hanging: /readyz answers 503 "database not answering" with one connection attempt for many probes; requests fail clearly', async () => {
    await proxy.setMode('hang');
    const acceptedBefore = proxy.accepted;
    const answers = await Promise.all(Array.from({ length: 8 }, () => readyz()));
    for (const answer of answers) expect(answer).toEqual({ status: 503, body: { status: 'not ready', reason: 'database not answering' } });
    // The probes shared one check: at most one connection was attempted for them all.
    expect(proxy.accepted - acceptedBefore).toBeLessThanOrEqual(1);
    expect((await command('notes add written while the database hangs')).text).toBe(NOT_ANSWERING);
    expect((await pressKickoff()).text).toBe(NOT_ANSWERING);
  });

  test('back: /readyz answers 200 again and commands work, without a restart', async () => {
    await proxy.setMode('pass');
    let ready = await readyz();
    for (let attempt = 0; ready.status !== 200 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await readyz();
    }
    expect(ready).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await command('notes add written after the outage')).text).toContain('added to train');
    // Nothing from the outage was recorded.
    expect((await h.bot.database.prisma.deployNote.findMany()).map((note) => note.text)).toEqual(['written after the outage']);
  });
});
