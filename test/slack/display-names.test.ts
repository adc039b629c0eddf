/**
 * The name look-ups (src/slack/directory.ts) never fail a message and never
 * keep one (or a tagging write) waiting on a slow Slack: each person is asked
 * at once, in parallel, for at most a second; who Slack did not name in time
 * is left out (the caller mentions them) and logged.
 */
import { displayNames, nameOf } from '../../src/slack/directory';
import { captureLogs } from '../support/logs';
import { startHarness, type Harness } from '../support/harness';

const ALICE = 'U0ALICE01';
const BOB = 'U0BOB0001';
const CAROL = 'U0CAROL01';

describe('display names while Slack is slow or failing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({});
    for (const [id, name] of [
      [ALICE, 'alice'],
      [BOB, 'bob'],
      [CAROL, 'carol'],
    ] as const) {
      h.slack.addUser({ id, name, realName: name });
    }
  });
  afterEach(() => {
    h.slack.clearFaults();
  });
  afterAll(async () => {
    await h.close();
  });

  test('users.info answering after 5 s: no names, each look-up given up (logged), all three asked before the first was given up', async () => {
    const logs = captureLogs({ level: 'warn' });
    h.slack.failNext('users.info', { delayMs: 5000 }, { times: 3 });
    const before = h.slack.callsTo('users.info').length;
    const names = await displayNames({ slackDirectory: h.bot.app.deps.slackDirectory, logger: logs.logger }, [ALICE, BOB, CAROL, ALICE]);
    expect([...names]).toEqual([]);
    const warnings = logs.warnings();
    expect(warnings.map((w) => w.userId).sort()).toEqual([ALICE, BOB, CAROL].sort());
    // In parallel: every call reached Slack before the first look-up was given up (one after another, each would wait for the last).
    const calls = h.slack.callsTo('users.info').slice(before);
    expect(calls.map((c) => c.args.user)).toEqual([ALICE, BOB, CAROL]);
    const firstGivenUp = Math.min(...warnings.map((w) => (typeof w.time === 'number' ? w.time : Date.parse(String(w.time)))));
    for (const call of calls) expect(call.at).toBeLessThanOrEqual(firstGivenUp);
  });

  test('users.info failing for one person: the others are named, that one is left out (logged); nameOf gives undefined', async () => {
    const logs = captureLogs({ level: 'warn' });
    const deps = { slackDirectory: h.bot.app.deps.slackDirectory, logger: logs.logger };
    h.slack.failNext('users.info', { error: 'internal_error' });
    const names = await displayNames(deps, [ALICE]);
    expect([...names]).toEqual([]);
    expect(await displayNames(deps, [BOB, CAROL])).toEqual(
      new Map([
        [BOB, 'bob'],
        [CAROL, 'carol'],
      ]),
    );
    h.slack.failNext('users.info', { httpStatus: 500 }, { times: 10 });
    expect(await nameOf(deps, ALICE)).toBeUndefined();
    expect(logs.warnings().map((w) => w.userId)).toEqual([ALICE, ALICE]);
  });
});
