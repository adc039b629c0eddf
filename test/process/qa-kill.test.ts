/**
 * QA's sign-off survives a SIGKILL after its ack (issue 13: "acked work is
 * durable", the kill point of test/process/durable-intents.test.ts for the QA
 * path). `/release qa green 303 …` and a red QA button under "on stage" are
 * acked while their sign-off cannot commit yet (the test holds `qa_signoffs`),
 * the bot is SIGKILLed, and a new one is started on the same database. Before
 * the fix both were lost, silently: acked, never recorded, never said in the
 * thread, never answered. Now each is recorded once, said once in the train's
 * thread, and answered once.
 */
import { ackedThenKilled, answersOnceDone } from '../support/kill-points';
import { processHarnessForAll } from '../support/process-harness';
import { rowsIn } from '../support/schema-sql';

jest.setTimeout(120_000);

const QA = 'U0QAKILL01';
const OWNER = 'U0QAKOWNR1';
const TRAIN = 303;
const CHANNEL = 'C0FXATEAM0';
const THREAD_TS = '1700000000.000300';

describe('a QA sign-off survives a SIGKILL', () => {
  const h = processHarnessForAll('qa-kill');

  test('an acked `/release qa green` and an acked red QA button with qa_signoffs held, SIGKILL: each recorded once, said once, answered once', async () => {
    for (const id of [QA, OWNER]) h.slack.addUser({ id, name: id.toLowerCase() });
    h.slack.addChannel({ id: CHANNEL, name: 'fxa-team' });
    h.slack.inviteBot(CHANNEL);
    const arrange = async () => {
      const now = new Date().toISOString();
      // QA is on the rotation (who may sign off); train 303 is on stage, and its thread is its kickoff announcement.
      await rowsIn(
        h.schema,
        `INSERT INTO roster_members ("slackUserId", "displayName", position, active, "createdAt", "updatedAt") VALUES ($1, $1, 0, true, $2, $2)`,
        [QA, now],
      );
      await rowsIn(
        h.schema,
        `INSERT INTO train_assignments (train, "slackUserId", source, "announcedAt", "announcementChannel", "announcementTs", "createdAt", "updatedAt")
         VALUES ($1, $2, 'override', $3, $4, $5, $3, $3)`,
        [TRAIN, OWNER, now, CHANNEL, THREAD_TS],
      );
      await rowsIn(
        h.schema,
        `INSERT INTO tag_releases (train, patch, tag, kind, state, "requestedBy", "requestedAt", "tagSha", "stateSince", "onStageAt",
         "createdAt", "updatedAt")
         VALUES ($1, 0, $2, 'train', 'on_stage', $3, $4, $5, $4, $4, $4, $4)`,
        [TRAIN, `v1.${TRAIN}.0`, OWNER, now, 'a'.repeat(40)],
      );
    };

    await ackedThenKilled(h, { arrange, hold: ['qa_signoffs'] }, (sender) =>
      Promise.all([
        sender.sendSlashCommand({
          text: `qa green ${TRAIN} login works on Safari`,
          userId: QA,
          channelId: CHANNEL,
          responseUrl: h.slack.responseUrl('qa-command'),
        }),
        sender.sendBlockActions(
          sender.blockActionsPayload({
            userId: QA,
            actionId: 'qa_red',
            value: JSON.stringify({ train: TRAIN, colour: 'red' }),
            channelId: CHANNEL,
            messageTs: '1700000000.000400',
            message: { type: 'message', ts: '1700000000.000400', text: `Train ${TRAIN} is on stage.`, blocks: [] },
            responseUrl: h.slack.responseUrl('qa-button'),
          }),
        ),
      ]),
    );

    const command = await answersOnceDone(h, 'qa-command');
    const button = await answersOnceDone(h, 'qa-button');
    expect(command).toHaveLength(1);
    expect(JSON.stringify(command[0]?.body)).toContain(`Recorded QA's sign-off of train ${TRAIN}: *green*: login works on Safari.`);
    expect(button).toHaveLength(1);
    expect(JSON.stringify(button[0]?.body)).toContain(`Recorded QA's sign-off of train ${TRAIN}: *red*`);

    const signoffs = await rowsIn(h.schema, 'SELECT train, colour, note, "by" FROM qa_signoffs ORDER BY colour');
    expect(signoffs).toEqual([
      { train: TRAIN, colour: 'green', note: 'login works on Safari', by: QA },
      { train: TRAIN, colour: 'red', note: null, by: QA },
    ]);
    const audits = await rowsIn(h.schema, "SELECT subject FROM audit_events WHERE action = 'qa.signoff'");
    expect(audits).toEqual([{ subject: `train:${TRAIN}` }, { subject: `train:${TRAIN}` }]);
    const said = h.slack.messagesIn(CHANNEL, { threadTs: THREAD_TS }).filter((m) => m.text?.includes('QA signed off'));
    expect(said.map((m) => /\*(green|red)\*/.exec(m.text ?? '')?.[1]).sort()).toEqual(['green', 'red']);
  });
});
