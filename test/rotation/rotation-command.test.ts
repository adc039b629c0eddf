import { recordAnnouncement } from '../../src/rotation/roster-store';
import { startHarness, type Harness } from '../support/harness';
import { ADMIN, ALICE, BOB, CAROL } from '../support/team';

const DAVE = 'U0DAVE001';
const mention = (id: string) => `<@${id}|${id.toLowerCase()}>`;

describe('/release rotation', () => {
  let h: Harness;

  /** Runs a command as `userId` and returns the text of the reply (always ephemeral). */
  async function run(userId: string, text: string): Promise<string> {
    const before = h.slack.responses.length;
    const reply = await h.sender.sendSlashCommand({ text: `rotation ${text}`, userId });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(before + 1, 5000);
    const body = h.slack.responses[before]?.body ?? {};
    expect(body.response_type).toBe('ephemeral');
    return String(body.text);
  }

  /**
   * `/release status` as anyone: the dashboard it ends with. When GitHub is slow (a loaded machine) a
   * first answer is replaced by the full one (status-command.ts): both are in before the next command.
   */
  async function status(): Promise<string> {
    const before = h.slack.responses.length;
    await h.sender.sendSlashCommand({ text: 'status' });
    await h.slack.waitForResponses(before + 1, 8000);
    await h.bot.app.deps.inFlight.idle(20_000);
    return JSON.stringify(h.slack.responses.at(-1)?.body);
  }

  async function rosterRows() {
    return h.bot.database.prisma.rosterMember.findMany({ orderBy: { position: 'asc' } });
  }

  beforeAll(async () => {
    // Monday 2 November 2026: train 302 is in progress (cut Wednesday 4 November).
    h = await startHarness({ now: '2026-11-02T17:00:00Z', settings: { admins: { users: [ADMIN] } } });
    for (const [id, name] of [
      [ADMIN, 'admin'],
      [ALICE, 'alice'],
      [BOB, 'bob'],
      [CAROL, 'carol'],
      [DAVE, 'dave'],
    ] as const) {
      h.slack.addUser({ id, name, realName: name, tz: 'America/New_York' });
    }
    h.github.addUser('alice-gh');
    h.github.addUser('bob-gh');
    h.github.addUser('carol-gh');
  });
  afterAll(async () => {
    await h.close();
  });

  test('an empty roster says no owner is assigned and how to fix it', async () => {
    expect(await run(ALICE, 'show')).toMatch(
      /No owner assigned: the roster is empty\. An admin can set it up with `\/release rotation import/,
    );
    expect(await status()).toContain('no owner assigned');
  });

  test('only admins may import, and a bad list imports nothing', async () => {
    expect(await run(ALICE, `import ${mention(ALICE)} alice-gh`)).toContain('Only admins can import the roster.');
    expect(await run(ADMIN, `import ${mention(ALICE)} alice-gh ${mention(ALICE)}`)).toContain(
      'appears twice in the list; nothing was imported',
    );
    expect(await run(ADMIN, `import ${mention(ALICE)} no-such-login-zz`)).toContain('There is no GitHub user `no-such-login-zz`');
    expect(await run(ADMIN, `import ${mention(ALICE)} ${mention('U0GHOST01')}`)).toMatch(/I can't find <@U0GHOST01> in this workspace/);
    expect(await rosterRows()).toHaveLength(0);
  });

  test('an admin imports the list; status and show name the owners', async () => {
    const reply = await run(ADMIN, `import ${mention(ALICE)} alice-gh, ${mention(BOB)} bob-gh ${mention(CAROL)}`);
    expect(reply).toMatch(/Imported 3 members; <@U0ALICE01> owns train 302/);
    expect((await rosterRows()).map((m) => [m.slackUserId, m.githubLogin, m.position, m.timeZone])).toEqual([
      [ALICE, 'alice-gh', 0, 'America/New_York'],
      [BOB, 'bob-gh', 1, 'America/New_York'],
      [CAROL, null, 2, 'America/New_York'],
    ]);
    const shown = await run(DAVE, 'show');
    expect(shown).toMatch(/\*Train 302\* \(now\): <@U0ALICE01>, cutoff Wed 4 Nov, 10:00 PT/);
    expect(shown).toMatch(/Train 303: <@U0BOB0001>/);
    expect(shown).toMatch(/Train 304: <@U0CAROL01>/);
    expect(shown).toMatch(/Train 305: <@U0ALICE01>/);
    expect(await status()).toContain('*Release owner*\\n<@U0ALICE01>');
  });

  test('import is for the first setup only', async () => {
    expect(await run(ADMIN, `import ${mention(DAVE)}`)).toContain('The roster already has 3 members; `import` is for the first setup');
  });

  test('people who are neither admin nor the current owner cannot edit, and are told who can', async () => {
    expect(await run(BOB, `add ${mention(DAVE)}`)).toMatch(
      /Only admins and the current release owner \(<@U0ALICE01>\) can add people to the rotation/,
    );
    expect(await run(BOB, `move ${mention(CAROL)} 1`)).toContain('Only admins and the current release owner');
    expect(await run(BOB, `skip ${mention(CAROL)} 304`)).toContain("can record someone else's time away");
    expect(await rosterRows()).toHaveLength(3);
  });

  test('the current owner may add; duplicates, taken logins and bad logins are refused', async () => {
    expect(await run(ALICE, `add ${mention(DAVE)}`)).toContain('Added <@U0DAVE001> at position 4.');
    expect(await run(ADMIN, `add ${mention(DAVE)}`)).toContain('<@U0DAVE001> is already on the roster, at position 4.');
    expect(await run(ADMIN, `add ${mention('U0EVE0001')} alice-gh`)).toContain("I can't find <@U0EVE0001> in this workspace.");
    h.slack.addUser({ id: 'U0EVE0001', name: 'eve' });
    expect(await run(ADMIN, `add ${mention('U0EVE0001')} alice-gh`)).toContain('GitHub login `alice-gh` already belongs to <@U0ALICE01>');
    expect(await run(ADMIN, `add ${mention('U0EVE0001')} -bad-`)).toContain('`-bad-` is not a GitHub login');
    expect(await run(ADMIN, 'add eve')).toContain('`eve` is not a mention');
    expect(await rosterRows()).toHaveLength(4);
  });

  test('positions out of range are refused; a move reorders', async () => {
    expect(await run(ADMIN, `move ${mention(DAVE)} 9`)).toContain('Position 9 is out of range: the roster has positions 1 to 4.');
    expect(await run(ADMIN, `move ${mention(DAVE)} 0`)).toContain('Position 0 is out of range');
    expect(await run(ADMIN, `move ${mention(DAVE)} two`)).toContain('Give the new position as a number');
    expect(await run(ADMIN, `move ${mention(DAVE)} 2`)).toContain('Moved <@U0DAVE001> to position 2.');
    expect((await rosterRows()).map((m) => m.slackUserId)).toEqual([ALICE, DAVE, BOB, CAROL]);
  });

  test('skips in the past, reversed or malformed ranges are refused; one’s own skip is allowed', async () => {
    expect(await run(BOB, `skip ${mention(BOB)} 301`)).toContain('Train 301 is in the past: train 302 is the one in progress.');
    expect(await run(BOB, `skip ${mention(BOB)} 2026-12-10 2026-12-01`)).toContain(
      'The range is reversed: 2026-12-10 is after 2026-12-01.',
    );
    expect(await run(BOB, `skip ${mention(BOB)} 2026-10-01 2026-10-05`)).toContain('2026-10-05 is in the past (today is 2026-11-02).');
    expect(await run(BOB, `skip ${mention(BOB)} 2026-13-01 2026-12-01`)).toContain('`2026-13-01` is not a date');
    expect(await h.bot.database.prisma.rosterSkip.count()).toBe(0);
    expect(await run(BOB, `skip ${mention(BOB)} 2026-12-01 2026-12-02`)).toContain('is away from 2026-12-01 to 2026-12-02');
    // Train 304 (cut 2 December) was Bob's: Carol takes it and Bob, owed a train, takes 305.
    const shown = await run(CAROL, 'show');
    expect(shown).toMatch(/Train 303: <@U0DAVE001>/);
    expect(shown).toMatch(/Train 304: <@U0CAROL01>/);
    expect(shown).toMatch(/Train 305: <@U0BOB0001>/);
    // Time away by name (nobody pinged), with its dates and the trains it passes him over for.
    expect(shown).toContain('*Away*: @bob (Dec 1–Dec 2, train 304)');
    expect(shown).not.toContain('Handed on');
  });

  test('skips recorded before skips had a reason are time away', async () => {
    // A row as the migration found it: no reason given.
    await h.bot.database.sql.query(
      `INSERT INTO roster_skips ("slackUserId", train, "createdBy", "createdAt") VALUES ($1, 306, $1, now())`,
      [CAROL],
    );
    try {
      const shown = await run(ALICE, 'show');
      expect(shown).toContain('*Away*: @bob (Dec 1–Dec 2, train 304), @carol (train 306)');
      expect(shown).not.toContain('Handed on');
      expect(shown).not.toMatch(/\*Away\*:[^\n]*<@/);
    } finally {
      await h.bot.database.sql.query(`DELETE FROM roster_skips WHERE "slackUserId" = $1`, [CAROL]);
    }
  });

  test('an announced train cannot be swapped; unannounced ones can', async () => {
    await recordAnnouncement({
      prisma: h.bot.database.prisma,
      now: h.clock.now(),
      entry: { train: 302, slackUserId: ALICE, source: 'rotation', rotationPick: ALICE, deferred: [], announced: false, skipping: [] },
      channel: 'C0TEAM001',
      ts: '1.2',
    });
    expect(await run(ADMIN, 'swap 302 303')).toContain(
      'Train 302 was already announced with <@U0ALICE01> as owner, so it cannot be swapped.',
    );
    expect(await run(ADMIN, 'swap 303 303')).toContain('Swap needs two different trains.');
    expect(await run(ADMIN, 'swap 303 x')).toContain('Give a train number such as `302`, not `x`.');
    expect(await run(ADMIN, 'swap 303 304')).toContain("Swapped: train 303 is now <@U0CAROL01>'s and train 304 is <@U0DAVE001>'s.");
    const shown = await run(CAROL, 'show');
    expect(shown).toMatch(/Train 303: <@U0CAROL01>.*_\(swap\)_/);
    expect(shown).toMatch(/Train 304: <@U0DAVE001>.*_\(swap\)_/);
    expect(shown).toMatch(/Train 305: <@U0BOB0001>/);
  });

  test('override gives one train to someone; emoji is one’s own', async () => {
    expect(await run(ALICE, `override 305 ${mention(CAROL)}`)).toContain('Train 305 now belongs to <@U0CAROL01>.');
    expect(await run(CAROL, 'emoji metal')).toContain('Give one emoji code');
    expect(await run(CAROL, 'emoji :metal:')).toContain('Your emoji is now :metal:.');
    expect(await run(DAVE, 'frobnicate')).toMatch(/I don't know `rotation frobnicate`/);
    // Names every object has are not actions either (they used to answer "✅ [object Object]" or fail).
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await run(DAVE, word);
      expect(answer).toContain(`I don't know \`rotation ${word}\``);
      expect(answer).toContain('`/release rotation add @user [github-login]`');
    }
    const shown = await run(DAVE, 'show');
    expect(shown).toMatch(/Train 305: <@U0CAROL01> :metal:.*_\(override\)_/);
    // Bob, displaced from 305 by the override, is owed the next train.
    expect(shown).toMatch(/Train 306: <@U0BOB0001>/);
  });

  test('every change is in the audit trail, with who made it', async () => {
    const events = await h.bot.database.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.actor, e.action])).toEqual([
      [ADMIN, 'rotation.import'],
      [ALICE, 'rotation.add'],
      [ADMIN, 'rotation.move'],
      [BOB, 'rotation.skip'],
      [ADMIN, 'rotation.swap'],
      [ALICE, 'rotation.override'],
      [CAROL, 'rotation.emoji'],
    ]);
  });
});
