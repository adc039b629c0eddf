/**
 * QA's sign-off is a durable request (issue 13: acked work is durable): a
 * replay of its intent after the first attempt committed and answered (the
 * process died before marking it done) records nothing twice, says nothing
 * twice in the train's thread, and answers nothing twice. The replay finds the
 * sign-off by the intent's key it carries. (The kill before the commit:
 * test/process/qa-kill.test.ts.)
 */
import type { Harness } from '../support/harness';
import { startQaScene, TRAIN } from './scene';
import { ALICE, ask, CHANNEL, press, settle, textOf, tick } from '../tagging/helpers';

describe('a QA sign-off replayed from its intent', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startQaScene();
  });
  afterAll(async () => {
    await h.close();
  });

  /**
   * Marks the intent `key` pending again, its attempt started an hour ago (its process died), and lets the minute tick replay it.
   * The first attempt finishes its intent after it answers: wait for that, or the replay is undone by it.
   */
  async function replay(keyLike: string): Promise<Array<{ status: string; attempts: number }>> {
    await settle(h);
    const claimed = new Date(h.clock.now().getTime() - 60 * 60_000);
    await h.bot.database.sql.query(`UPDATE slack_intents SET status = 'pending', "doneAt" = NULL, "claimedAt" = $2 WHERE key LIKE $1`, [
      keyLike,
      claimed,
    ]);
    await tick(h);
    await settle(h);
    return h.bot.database.sql.query(`SELECT status, attempts FROM slack_intents WHERE key LIKE $1`, [keyLike]);
  }

  const signoffs = () => h.bot.database.sql.query('SELECT colour, note FROM qa_signoffs ORDER BY id');
  const said = () => h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts !== undefined && m.text?.includes('QA signed off'));

  test('`/release qa green`: replayed after it answered, one sign-off, one thread message, one answer', async () => {
    const answer = await ask(h, ALICE, `qa green ${TRAIN} login works`);
    expect(answer).toContain(`Recorded QA's sign-off of train ${TRAIN}: *green*: login works.`);
    const responses = h.slack.responses.length;

    expect(await replay('command:%')).toEqual([{ status: 'done', attempts: 2 }]);
    expect(await signoffs()).toEqual([{ colour: 'green', note: 'login works' }]);
    expect(said()).toHaveLength(1);
    expect(h.slack.responses.length).toBe(responses);
  });

  test('a red QA button: replayed after it answered, one more sign-off only, one thread message, one answer', async () => {
    const reply = await press(h, ALICE, 'qa_red', JSON.stringify({ train: TRAIN, colour: 'red' }));
    expect(textOf(reply)).toContain(`Recorded QA's sign-off of train ${TRAIN}: *red*`);
    const responses = h.slack.responses.length;

    expect(await replay('button:qa_red:%')).toEqual([{ status: 'done', attempts: 2 }]);
    expect(await signoffs()).toEqual([
      { colour: 'green', note: 'login works' },
      { colour: 'red', note: null },
    ]);
    expect(said()).toHaveLength(2);
    expect(h.slack.responses.length).toBe(responses);
  });
});
