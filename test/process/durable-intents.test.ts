/**
 * Issue 13, reproduction 6: acked work dies with the process. 30 signed
 * `/release notes add` are acked while their work cannot commit yet (the test
 * holds a lock on the notes' table, as a slow database would), the process is
 * SIGKILLed right after the acks (its uncommitted transactions die with it),
 * and a new process is started on the same database. Before intents, all 30
 * notes were lost, silently (Slack does not retry an acked command); now the
 * new process finishes them from their intents: each note exists once, and
 * each requester got exactly one answer.
 */
import { Client } from 'pg';
import { urlForSchema } from '../support/database';
import { processHarnessForAll } from '../support/process-harness';

const NOTES = 30;

jest.setTimeout(120_000);

describe('acked work survives a SIGKILL', () => {
  const h = processHarnessForAll('durable');
  // The first process is dead: its intents need not wait for a lease.
  const startBot = () => h.startBot({ INTENT_LEASE_SECONDS: '0' });

  test('30 acked `/release notes add`, SIGKILL right after the acks: a new process adds each note once and answers each requester once', async () => {
    const { slack, schema } = h;
    const first = await startBot();
    const { sender } = first;

    // The notes' table is held: the work after each ack waits for it, uncommitted.
    const holder = await connect(schema);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE deploy_notes IN ACCESS EXCLUSIVE MODE');

    const statuses = await Promise.all(
      Array.from({ length: NOTES }, (_, index) =>
        sender
          .sendSlashCommand({
            text: `notes add Step ${index} of the deploy`,
            userId: `U0NOTE${String(index).padStart(4, '0')}`,
            triggerId: `trigger-note-${index}`,
            responseUrl: slack.responseUrl(`note-${index}`),
          })
          .then((response) => response.status),
      ),
    );
    expect(statuses).toEqual(Array.from({ length: NOTES }, () => 200));

    first.bot.child.kill('SIGKILL');
    await first.bot.exited;
    // The dead process's transactions die with it (PostgreSQL notices the closed connection only when it next reads it).
    await holder.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))');
    await holder.query('COMMIT');
    await holder.end();
    expect(slack.responses.filter((r) => r.id.startsWith('note-'))).toEqual([]);

    await startBot();
    const answered = await waitFor(() => {
      const ids = slack.responses.filter((r) => r.id.startsWith('note-')).map((r) => r.id);
      return new Set(ids).size === NOTES ? ids : undefined;
    });

    const db = await connect(schema);
    try {
      const notes = await db.query<{ text: string; count: string }>(
        'SELECT text, count(*) AS count FROM deploy_notes GROUP BY text ORDER BY text',
      );
      expect(notes.rows).toEqual(
        Array.from({ length: NOTES }, (_, index) => ({ text: `Step ${index} of the deploy`, count: '1' })).sort((a, b) =>
          a.text.localeCompare(b.text),
        ),
      );
      // Every intent is done: nothing will be replayed again.
      const pending = await db.query("SELECT key FROM slack_intents WHERE status <> 'done'");
      expect(pending.rows).toEqual([]);
    } finally {
      await db.end();
    }
    // Exactly one answer each, saying the note was added.
    const final = slack.responses.filter((r) => r.id.startsWith('note-'));
    expect(final.map((r) => r.id).sort()).toEqual([...answered].sort());
    expect(final).toHaveLength(NOTES);
    for (const response of final) expect(JSON.stringify(response.body)).toContain('Deploy note');
  });
});

/** A plain connection to the test's schema. */
async function connect(schema: string): Promise<Client> {
  const client = new Client({ connectionString: urlForSchema(schema) });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return client;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
