/**
 * QA's sign-off does not depend on Slack naming the person (users.info failing
 * leaves them mentioned), and two attempts of one durable request running at
 * once (a replay beside the first attempt) record one sign-off and both answer
 * it: neither gets an error.
 */
import { signOffQa } from '../../src/qa/sign-off';
import type { Harness } from '../support/harness';
import { startQaScene, TRAIN } from './scene';
import { ALICE, ask, CHANNEL, settle } from '../tagging/helpers';

describe('a QA sign-off, Slack failing or attempts racing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startQaScene();
  });
  afterEach(() => {
    h.slack.clearFaults();
  });
  afterAll(async () => {
    await h.close();
  });

  const signoffs = () =>
    h.bot.database.sql.query<{ colour: string; note: string | null }>('SELECT colour, note FROM qa_signoffs ORDER BY id');
  const said = () => h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts !== undefined && m.text?.includes('QA signed off'));

  test('`/release qa green` while users.info answers HTTP 500: recorded, said in the thread with a mention', async () => {
    h.slack.failNext('users.info', { httpStatus: 500 }, { times: 100 });
    const answer = await ask(h, ALICE, `qa green ${TRAIN} login works`);
    await settle(h);
    expect(answer).toContain(`Recorded QA's sign-off of train ${TRAIN}: *green*: login works.`);
    expect(await signoffs()).toEqual([{ colour: 'green', note: 'login works' }]);
    expect(said().map((m) => m.text)).toEqual([expect.stringContaining(`*green* (by <@${ALICE}>)`)]);
  });

  test('two attempts of one request at once: one sign-off, one thread message, both told it is recorded', async () => {
    const deps = h.bot.app.deps;
    const now = h.clock.now();
    const attempt = () =>
      signOffQa({ deps, userId: ALICE, now, colour: 'yellow', train: TRAIN, note: 'slow search', intentKey: 'command:race-1' });
    const [first, second] = await Promise.all([attempt(), attempt()]);
    await settle(h);
    expect(first.text).toContain(`Recorded QA's sign-off of train ${TRAIN}: *yellow*: slow search.`);
    expect(second.text).toBe(first.text);
    expect(await signoffs()).toEqual([
      { colour: 'green', note: 'login works' },
      { colour: 'yellow', note: 'slow search' },
    ]);
    expect(said()).toHaveLength(2);
  });
});
