import { startRecoveringBot } from '../support/kill-points';
import type { SlackRequestSender } from '../fakes/slack-client';
import { type ProcessHarness, processHarnessForAll } from '../support/process-harness';
import { connectToSchema, rowsIn, waitFor } from '../support/schema-sql';

jest.setTimeout(180_000);

const ADMIN = 'U0KPADMIN1';
const MEMBERS = ['U0KPMEMB01', 'U0KPMEMB02', 'U0KPMEMB03'];
const NEWCOMER = 'U0KPNEWB01';
const PATCH_OWNER = 'U0KPPOWNER';
const REQUESTER = 'U0KPPREQST';
const KICKOFF_OWNER = 'U0KPKOWNER';
/** The key of the advisory lock the "done" update waits for. */
const HOLD_KEY = 7_130_013;
/** The tables a replay must leave as they were. */
const TABLES = [
  'roster_members',
  'roster_skips',
  'train_assignments',
  'app_state',
  'deploy_notes',
  'patch_requests',
  'patch_decisions',
  'audit_events',
  'slack_messages',
];

/** One durable request: what it sends, and the words its one answer must contain. */
interface Row {
  name: string;
  send: (sender: SlackRequestSender, responseUrl: string) => Promise<{ status: number }>;
  answer: string;
}

const command =
  (userId: string, text: string) =>
  (sender: SlackRequestSender, responseUrl: string): Promise<{ status: number }> =>
    sender.sendSlashCommand({ text, userId, triggerId: `trigger-${userId}-${text.replace(/\W+/g, '-')}`, responseUrl });

describe('killed after the work committed and answered, before its intent was marked done', () => {
  const h = processHarnessForAll('kill-after-work');
  let settingsPath = '';

  beforeAll(async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    settingsPath = path.join(await mkdtemp(path.join(tmpdir(), 'kill-after-work-')), 'settings.json');
    await writeFile(settingsPath, JSON.stringify({ admins: { users: [ADMIN] } }));
  });

  test('every durable command and button: answered once, and the replay changes nothing', async () => {
    for (const id of [ADMIN, ...MEMBERS, NEWCOMER, PATCH_OWNER, REQUESTER, KICKOFF_OWNER]) h.slack.addUser({ id, name: id.toLowerCase() });
    h.slack.addChannel({ id: 'C0FXATEAM0', name: 'fxa-team' });
    h.slack.inviteBot('C0FXATEAM0');
    const env = { CONDUCTOR_CONFIG: settingsPath };

    // Round 1: the roster is empty (import is for the first setup), plus notes, patch decisions and kickoff answers.
    const year = new Date().getUTCFullYear() + 1;
    const round1 = async (): Promise<Row[]> => {
      const { approveId, withdrawId } = await arrangePatches(h.schema);
      await arrangeKickoff(h.schema, [303]);
      return [
        {
          name: 'rotation import',
          send: command(ADMIN, `rotation import ${MEMBERS.map((id) => `<@${id}>`).join(' ')}`),
          answer: 'Imported 3 members',
        },
        { name: 'notes add', send: command(MEMBERS[0] as string, 'notes add Run the cache warm-up after deploy'), answer: 'Deploy note' },
        { name: 'notes sre', send: command(MEMBERS[1] as string, 'notes sre Rotate the signing key'), answer: 'Special step for SRE' },
        {
          name: 'patch approve',
          send: (sender, responseUrl) =>
            sender.sendBlockActions(
              sender.blockActionsPayload({
                userId: PATCH_OWNER,
                actionId: 'patch_approve',
                value: String(approveId),
                channelId: h.slack.dmChannelFor(PATCH_OWNER),
                responseUrl,
              }),
            ),
          answer: `Approved patch request #${approveId}`,
        },
        {
          name: 'patch withdraw',
          send: (sender, responseUrl) =>
            sender.sendBlockActions(
              sender.blockActionsPayload({
                userId: REQUESTER,
                actionId: 'patch_withdraw',
                value: String(withdrawId),
                channelId: h.slack.dmChannelFor(REQUESTER),
                responseUrl,
              }),
            ),
          answer: `You withdrew patch request #${withdrawId}`,
        },
        kickoffButton('kickoff confirm', 'kickoff_confirm', 303, `${KICKOFF_OWNER.toLowerCase()} confirmed train 303.`),
      ];
    };
    const answers1 = await answeredThenKilled(h, env, 'r1', round1);
    const train = Number(/added to train (\d+)/.exec(answers1.get('notes add') ?? '')?.[1]);
    expect(Number.isInteger(train)).toBe(true);
    const [note] = await rowsIn<{ id: number }>(h.schema, "SELECT id FROM deploy_notes WHERE text LIKE 'Rotate%'");

    // Round 2: the roster's edits, on the imported roster, and a kickoff's Decline (its train is announced again).
    const round2 = async (): Promise<Row[]> => {
      await arrangeKickoff(h.schema, [train + 1]);
      return [
        kickoffButton('kickoff decline', 'kickoff_decline', train + 1, `${KICKOFF_OWNER.toLowerCase()} can't take train ${train + 1}`),
        { name: 'rotation add', send: command(ADMIN, `rotation add <@${NEWCOMER}>`), answer: `Added <@${NEWCOMER}> at position 4.` },
        {
          name: 'rotation move',
          send: command(ADMIN, `rotation move <@${MEMBERS[0]}> 3`),
          answer: `Moved <@${MEMBERS[0]}> to position 3.`,
        },
        {
          name: 'rotation skip (dates)',
          send: command(MEMBERS[1] as string, `rotation skip <@${MEMBERS[1]}> ${year}-03-02 ${year}-03-06`),
          answer: `<@${MEMBERS[1]}> is away from ${year}-03-02 to ${year}-03-06`,
        },
        {
          name: 'rotation skip (train)',
          send: command(MEMBERS[2] as string, `rotation skip <@${MEMBERS[2]}> ${train + 6}`),
          answer: `<@${MEMBERS[2]}> will skip train ${train + 6}`,
        },
        { name: 'rotation swap', send: command(ADMIN, `rotation swap ${train + 2} ${train + 3}`), answer: 'Swapped: train' },
        {
          name: 'rotation override',
          send: command(ADMIN, `rotation override ${train + 4} <@${MEMBERS[2]}>`),
          answer: `Train ${train + 4} now belongs to <@${MEMBERS[2]}>.`,
        },
        { name: 'rotation emoji', send: command(MEMBERS[2] as string, 'rotation emoji :metal:'), answer: 'Your emoji is now :metal:.' },
        { name: 'notes remove', send: command(MEMBERS[1] as string, `notes remove ${note?.id}`), answer: `Removed note \`${note?.id}\`` },
      ];
    };
    await answeredThenKilled(h, env, 'r2', round2);
    // The second round's remove runs last: the removal of a member renumbers the rest.
    await answeredThenKilled(h, env, 'r3', [
      {
        name: 'rotation remove',
        send: command(ADMIN, `rotation remove <@${NEWCOMER}>`),
        answer: `Removed <@${NEWCOMER}> from the rotation.`,
      },
    ]);

    // The edits themselves, once each.
    const skips = await rowsIn(h.schema, 'SELECT "slackUserId", train, "fromDate", "toDate" FROM roster_skips ORDER BY "slackUserId"');
    expect(skips).toEqual([
      // The declined kickoff's owner is not on the roster: no skip for them.
      { slackUserId: MEMBERS[1], train: null, fromDate: `${year}-03-02`, toDate: `${year}-03-06` },
      { slackUserId: MEMBERS[2], train: train + 6, fromDate: null, toDate: null },
    ]);
    const members = await rowsIn(h.schema, 'SELECT "slackUserId", emoji FROM roster_members ORDER BY position');
    expect(members).toEqual([
      { slackUserId: MEMBERS[1], emoji: null },
      { slackUserId: MEMBERS[2], emoji: ':metal:' },
      { slackUserId: MEMBERS[0], emoji: null },
    ]);
  });

  /** A kickoff's Confirm or Decline by its owner, on the train's announcement. */
  function kickoffButton(name: string, actionId: string, train: number, answer: string): Row {
    const ts = `1700000000.000${train}`;
    return {
      name,
      answer,
      send: (sender, responseUrl) =>
        sender.sendBlockActions(
          sender.blockActionsPayload({
            userId: KICKOFF_OWNER,
            actionId,
            value: String(train),
            channelId: 'C0FXATEAM0',
            messageTs: ts,
            message: { type: 'message', ts, text: `Train ${train} kicks off.`, blocks: [] },
            responseUrl,
          }),
        ),
    };
  }
});

/**
 * Starts a bot, arranges and sends `rowsOf`'s requests, waits until each has answered and each intent's "done" waits on the held
 * lock, SIGKILLs the bot; starts a new one, which replays every intent. Expects one answer per request (containing its
 * words) and the tables as they were before the replay. Returns each row's answer.
 */
async function answeredThenKilled(
  h: ProcessHarness,
  env: Record<string, string>,
  round: string,
  rowsOf: Row[] | (() => Promise<Row[]>),
): Promise<Map<string, string>> {
  const first = await h.startBot(env);
  const replayedBefore = await replayedCount(h.schema);
  // Arranged once the bot has migrated the schema.
  const table = typeof rowsOf === 'function' ? await rowsOf() : rowsOf;
  const holder = await connectToSchema(h.schema);
  await holder.query('SELECT pg_advisory_lock($1)', [HOLD_KEY]);
  await holder.query(`
    CREATE OR REPLACE FUNCTION hold_intent_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_advisory_xact_lock(${HOLD_KEY}); RETURN NEW; END $$`);
  await holder.query(`
    CREATE TRIGGER hold_intent_done BEFORE UPDATE ON slack_intents FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION hold_intent_done()`);
  const idOf = (row: Row) => `${round}-${row.name.replace(/\W+/g, '-')}`;
  const replies = await Promise.all(table.map((row) => row.send(first.sender, h.slack.responseUrl(idOf(row)))));
  expect(replies.map((reply) => reply.status)).toEqual(table.map(() => 200));

  // The kill point: every request answered, every intent's "done" waiting.
  await waitFor(() => (table.every((row) => h.slack.responsesTo(idOf(row)).length > 0) ? true : undefined));
  await waitFor(async () => {
    const [waiting] = await rowsIn<{ count: number }>(
      h.schema,
      "SELECT count(*)::int AS count FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
    );
    return waiting?.count === table.length ? true : undefined;
  });
  first.bot.child.kill('SIGKILL');
  await first.bot.exited;
  // The dead bot's sessions still wait for the lock (PostgreSQL notices a closed connection only when it next reads
  // it), holding their intents' rows: ended first, so that neither marks its intent done nor blocks the trigger's drop.
  await holder.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
  );
  await holder.query('DROP TRIGGER hold_intent_done ON slack_intents');
  await holder.end();
  const before = await snapshot(h.schema);
  const answered = new Map(table.map((row) => [row.name, JSON.stringify(h.slack.responsesTo(idOf(row)).map((r) => r.body))]));

  // The dead process's intents need not wait for a lease.
  const second = await startRecoveringBot(h, env);
  await waitFor(async () => {
    const pending = await rowsIn(h.schema, "SELECT key FROM slack_intents WHERE status <> 'done'");
    return pending.length === 0 ? true : undefined;
  });
  // Each intent was run again by the new process…
  expect((await replayedCount(h.schema)) - replayedBefore).toBe(table.length);
  // …answered nothing a second time, and changed nothing.
  for (const row of table) {
    const answers = h.slack.responsesTo(idOf(row));
    expect({ row: row.name, answers: answers.length }).toEqual({ row: row.name, answers: 1 });
    expect({ row: row.name, answer: JSON.stringify(answers[0]?.body) }).toEqual({
      row: row.name,
      answer: expect.stringContaining(row.answer.replace(/[\\"]/g, '\\$&')),
    });
  }
  expect(await snapshot(h.schema)).toEqual(before);
  // Stopped before the next round (its lease of 0 would take over the next round's intents while they are held).
  second.bot.child.kill('SIGTERM');
  await second.bot.exited;
  const texts = new Map<string, string>();
  for (const [name, body] of answered) texts.set(name, body);
  return texts;
}

/** How many intents are done after more than one attempt. */
async function replayedCount(schema: string): Promise<number> {
  const [row] = await rowsIn<{ count: number }>(
    schema,
    "SELECT count(*)::int AS count FROM slack_intents WHERE status = 'done' AND attempts >= 2",
  );
  return row?.count ?? 0;
}

/** The tables a replay must not change, row for row. */
async function snapshot(schema: string): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of TABLES) result[table] = await rowsIn(schema, `SELECT * FROM ${table} ORDER BY 1`);
  return result;
}

async function arrangePatches(schema: string): Promise<{ approveId: number; withdrawId: number }> {
  const now = new Date().toISOString();
  await rowsIn(
    schema,
    `INSERT INTO train_assignments (train, "slackUserId", source, "createdAt", "updatedAt") VALUES (302, $1, 'override', $2, $2)`,
    [PATCH_OWNER, now],
  );
  const ids: number[] = [];
  for (const sha of ['a'.repeat(40), 'b'.repeat(40)]) {
    const [request] = await rowsIn<{ id: number }>(
      schema,
      `INSERT INTO patch_requests (train, "requestedBy", reason, justification, "verifiedOnMain", "rawItems", status, "viewId", "trainWhere",
       "ownerAtRequest", "createdAt", "updatedAt")
       VALUES (302, $1, 'other', 'Users on Safari cannot sign in.', true, $2, 'pending', $3, 'on stage', $4, $5, $5) RETURNING id`,
      [REQUESTER, sha, `V0KP${sha.slice(0, 6)}`, PATCH_OWNER, now],
    );
    if (!request) throw new Error('no patch request');
    await rowsIn(
      schema,
      `INSERT INTO patch_request_commits ("requestId", train, sha, title, source, input, "mainOrder", position)
       VALUES ($1, 302, $2, 'Fix the login loop on Safari', 'sha', $2, 1, 0)`,
      [request.id, sha],
    );
    ids.push(request.id);
  }
  return { approveId: ids[0] as number, withdrawId: ids[1] as number };
}

async function arrangeKickoff(schema: string, trains: number[]): Promise<void> {
  const now = new Date().toISOString();
  for (const train of trains) {
    await rowsIn(
      schema,
      `INSERT INTO train_assignments (train, "slackUserId", source, "announcedAt", "announcementChannel", "announcementTs", "createdAt", "updatedAt")
       VALUES ($1, $2, 'rotation', $3, 'C0FXATEAM0', $4, $3, $3)`,
      [train, KICKOFF_OWNER, now, `1700000000.000${train}`],
    );
  }
}
