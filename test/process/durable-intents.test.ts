/**
 * Issue 13, reproduction 6: acked work dies with the process. 30 signed
 * `/release notes add` are acked while their work cannot commit yet (the test
 * holds a lock on the notes' table, as a slow database would), the process is
 * SIGKILLed right after the acks (its uncommitted transactions die with it),
 * and a new process is started on the same database. Before intents, all 30
 * notes were lost, silently (Slack does not retry an acked command); now the
 * new process finishes them from their intents: each note exists once, and
 * each requester got exactly one answer.
 *
 * The same kill point for the other mutating paths (issue 13, "a kill-point
 * test over the notes, rotation, patch decision and kickoff paths"): a
 * rotation edit, a patch request's Approve and a kickoff's Confirm, each with
 * its table held: applied once, one answer.
 */
import { ackedThenKilled, answersOnceDone, doomedUrl, endDeadSessions, startRecoveringBot } from '../support/kill-points';
import { processHarnessForAll } from '../support/process-harness';
import { connectToSchema, rowsIn, waitFor } from '../support/schema-sql';

const NOTES = 30;

jest.setTimeout(120_000);

describe('acked work survives a SIGKILL', () => {
  const h = processHarnessForAll('durable');
  // The first process is dead: its intents need not wait for a lease (startRecoveringBot).
  const startBot = () => startRecoveringBot(h);
  const startDoomedBot = () => h.startBot({ DATABASE_URL: doomedUrl(h.schema) });

  test('30 acked `/release notes add`, SIGKILL right after the acks: a new process adds each note once and answers each requester once', async () => {
    const { slack, schema } = h;
    const first = await startDoomedBot();
    const { sender } = first;

    // The notes' table is held: the work after each ack waits for it, uncommitted.
    const holder = await connectToSchema(schema);
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
    await endDeadSessions(holder);
    await holder.query('COMMIT');
    await holder.end();
    expect(slack.responses.filter((r) => r.id.startsWith('note-'))).toEqual([]);

    await startBot();
    const answered = await waitFor(() => {
      const ids = slack.responses.filter((r) => r.id.startsWith('note-')).map((r) => r.id);
      return new Set(ids).size === NOTES ? ids : undefined;
    });

    const db = await connectToSchema(schema);
    try {
      const notes = await db.query<{ text: string; count: string }>(
        'SELECT text, count(*) AS count FROM deploy_notes GROUP BY text ORDER BY text',
      );
      expect(notes.rows).toEqual(
        Array.from({ length: NOTES }, (_, index) => ({ text: `Step ${index} of the deploy`, count: '1' })).sort((a, b) =>
          a.text.localeCompare(b.text),
        ),
      );
      // Every intent is done: nothing will be replayed again. (An intent is marked done just after its answer is sent, so wait for the last marks.)
      const notDone = async () => (await db.query("SELECT key FROM slack_intents WHERE status <> 'done'")).rows;
      await waitFor(async () => ((await notDone()).length === 0 ? true : undefined), 30_000).catch(() => undefined);
      expect(await notDone()).toEqual([]);
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

const at = () => new Date().toISOString();

describe('a rotation edit survives a SIGKILL', () => {
  const h = processHarnessForAll('durable-rotation');
  const MEMBERS = ['U0ROTA0001', 'U0ROTA0002', 'U0ROTA0003'];

  test('three acked `/release rotation skip` with the roster held, SIGKILL: each skip is recorded once, each requester answered once', async () => {
    const arrange = async () => {
      for (const [position, id] of MEMBERS.entries()) {
        await rowsIn(
          h.schema,
          `INSERT INTO roster_members ("slackUserId", "displayName", position, active, "createdAt", "updatedAt") VALUES ($1, $1, $2, true, $3, $3)`,
          [id, position, at()],
        );
      }
    };
    const year = new Date().getUTCFullYear() + 1;
    await ackedThenKilled(h, { arrange, hold: ['roster_members', 'roster_skips'] }, (sender) =>
      Promise.all(
        MEMBERS.map((id) =>
          sender.sendSlashCommand({
            text: `rotation skip <@${id}> ${year}-03-02 ${year}-03-06`,
            userId: id,
            responseUrl: h.slack.responseUrl(`skip-${id}`),
          }),
        ),
      ),
    );
    for (const id of MEMBERS) {
      const answers = await answersOnceDone(h, `skip-${id}`);
      expect(answers).toHaveLength(1);
      expect(JSON.stringify(answers[0]?.body)).toContain(`<@${id}> is away from ${year}-03-02 to ${year}-03-06`);
    }
    const skips = await rowsIn(h.schema, 'SELECT "slackUserId", "fromDate", "toDate" FROM roster_skips ORDER BY "slackUserId"');
    expect(skips).toEqual(MEMBERS.map((slackUserId) => ({ slackUserId, fromDate: `${year}-03-02`, toDate: `${year}-03-06` })));
  });
});

describe('a patch request’s Approve survives a SIGKILL', () => {
  const h = processHarnessForAll('durable-patch');
  const OWNER = 'U0PATCHOWN';
  const REQUESTER = 'U0PATCHREQ';
  const TRAIN = 302;

  test('the owner’s acked Approve with patch_requests held, SIGKILL: approved once, one answer, the requester told once', async () => {
    h.slack.addUser({ id: OWNER, name: 'owner' });
    h.slack.addUser({ id: REQUESTER, name: 'requester' });
    let requestId: number | undefined;
    const arrange = async () => {
      const now = at();
      await rowsIn(
        h.schema,
        `INSERT INTO train_assignments (train, "slackUserId", source, "createdAt", "updatedAt") VALUES ($1, $2, 'override', $3, $3)`,
        [TRAIN, OWNER, now],
      );
      const [request] = await rowsIn<{ id: number }>(
        h.schema,
        `INSERT INTO patch_requests (train, "requestedBy", reason, justification, "verifiedOnMain", "rawItems", status, "viewId", "trainWhere",
         "ownerAtRequest", "createdAt", "updatedAt")
       VALUES ($1, $2, 'other', 'Users on Safari cannot sign in.', true, $3, 'pending', 'V0PATCH001', 'on stage', $4, $5, $5) RETURNING id`,
        [TRAIN, REQUESTER, 'a'.repeat(40), OWNER, now],
      );
      requestId = request?.id;
      await rowsIn(
        h.schema,
        `INSERT INTO patch_request_commits ("requestId", train, sha, title, source, input, "mainOrder", position)
       VALUES ($1, $2, $3, 'Fix the login loop on Safari', 'sha', $3, 1, 0)`,
        [requestId, TRAIN, 'a'.repeat(40)],
      );
    };

    await ackedThenKilled(h, { arrange, hold: ['patch_requests'] }, async (sender) => [
      await sender.sendBlockActions(
        sender.blockActionsPayload({
          userId: OWNER,
          actionId: 'patch_approve',
          value: String(requestId),
          channelId: h.slack.dmChannelFor(OWNER),
          responseUrl: h.slack.responseUrl('approve'),
        }),
      ),
    ]);

    const answers = await answersOnceDone(h, 'approve');
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.body)).toContain(`Approved patch request #${requestId}`);
    const [approved] = await rowsIn(h.schema, 'SELECT status, "decidedBy", "outcomeSentAt" IS NOT NULL AS told FROM patch_requests');
    expect(approved).toEqual({ status: 'approved', decidedBy: OWNER, told: true });
    const decisions = await rowsIn(h.schema, 'SELECT kind FROM patch_decisions');
    expect(decisions).toHaveLength(1);
    const told = h.slack.messagesIn(h.slack.dmChannelFor(REQUESTER)).filter((m) => m.text?.startsWith(`Your patch request #${requestId}`));
    expect(told).toHaveLength(1);
  });
});

describe('a kickoff’s Confirm survives a SIGKILL', () => {
  const h = processHarnessForAll('durable-kickoff');
  const OWNER = 'U0KICKOWN1';
  const TRAIN = 303;

  test('the owner’s acked Confirm with train_assignments held, SIGKILL: confirmed once, one answer', async () => {
    const arrange = async () => {
      const now = at();
      await rowsIn(
        h.schema,
        `INSERT INTO train_assignments (train, "slackUserId", source, "announcedAt", "announcementChannel", "announcementTs", "createdAt", "updatedAt")
       VALUES ($1, $2, 'rotation', $3, 'C0FXATEAM0', '1700000000.000100', $3, $3)`,
        [TRAIN, OWNER, now],
      );
    };
    await ackedThenKilled(h, { arrange, hold: ['train_assignments'] }, async (sender) => [
      await sender.sendBlockActions(
        sender.blockActionsPayload({
          userId: OWNER,
          actionId: 'kickoff_confirm',
          value: String(TRAIN),
          channelId: 'C0FXATEAM0',
          messageTs: '1700000000.000100',
          message: { type: 'message', ts: '1700000000.000100', text: `Train ${TRAIN} kicks off.`, blocks: [] },
          responseUrl: h.slack.responseUrl('confirm'),
        }),
      ),
    ]);

    const answers = await answersOnceDone(h, 'confirm');
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.body)).toContain(`<@${OWNER}> confirmed train ${TRAIN}.`);
    const [assignment] = await rowsIn(h.schema, 'SELECT "confirmedBy", "confirmedAt" IS NOT NULL AS confirmed FROM train_assignments');
    expect(assignment).toEqual({ confirmedBy: OWNER, confirmed: true });
    const audits = await rowsIn(h.schema, "SELECT subject FROM audit_events WHERE action = 'kickoff.confirm'");
    expect(audits).toEqual([{ subject: `train:${TRAIN}` }]);
  });
});
