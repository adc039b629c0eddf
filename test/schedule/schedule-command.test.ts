import { importRoster } from '../../src/rotation/roster-store';
import { harnessForAll } from '../support/harness';

describe('/release schedule', () => {
  const h = harnessForAll({ now: '2026-11-02T17:00:00Z' });

  async function run(text: string): Promise<string> {
    const before = h.slack.responses.length;
    await h.sender.sendSlashCommand({ text });
    await h.slack.waitForResponses(before + 1, 5000);
    expect(h.slack.responses[before]?.body.response_type).toBe('ephemeral');
    return String(h.slack.responses[before]?.body.text);
  }

  test('with an empty roster, lists the trains and says nobody is assigned', async () => {
    const text = await run('schedule 2');
    expect(text).toMatch(
      /\*Train 302\*: _no owner assigned_\n {2}kickoff Thu 22 Oct, 09:00 PT \/ 12:00 ET \/ 16:00 UTC\n {2}cutoff Wed 4 Nov, 10:00 PT \/ 13:00 ET \/ 18:00 UTC \(yours: <!date\^1793815200\^/,
    );
    expect(text).toMatch(/\*Train 303\*/);
    expect(text).not.toMatch(/\*Train 304\*/);
  });

  test('names the owners from the roster', async () => {
    await importRoster({
      prisma: h.bot.database.prisma,
      actor: 'U0ADMIN01',
      now: h.clock.now(),
      startTrain: 302,
      members: [
        { slackUserId: 'U0ALICE01', displayName: 'Alice', githubLogin: null, timeZone: null },
        { slackUserId: 'U0BOB0001', displayName: 'Bob', githubLogin: null, timeZone: null },
      ],
    });
    const text = await run('schedule');
    expect(text.match(/\*Train \d+\*/g)).toEqual([
      '*Train 302*',
      '*Train 303*',
      '*Train 304*',
      '*Train 305*',
      '*Train 306*',
      '*Train 307*',
    ]);
    expect(text).toMatch(/\*Train 302\*: <@U0ALICE01>/);
    expect(text).toMatch(/\*Train 303\*: <@U0BOB0001>/);
  });

  test.each(['0', '27', 'many', '-1'])('a count of %s is refused with the range', async (count) => {
    expect(await run(`schedule ${count}`)).toMatch(/Give a number of trains from 1 to 26, not `-?\w+`/);
  });
});
