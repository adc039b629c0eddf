/** `/release notes`: add, sre, list, remove; who may remove; every bad input refused with nothing changed. */
import { harnessForAll } from '../support/harness';
import { ADMIN, ALICE, BOB, CUTOFF, ERIN, MALLORY, arrangeCutoffDay, command, settings } from '../reminders/cutoff-day';

describe('/release notes', () => {
  // Monday 2 November 2026: train 302 is in progress, owned by Alice.
  const h = harnessForAll({ settings, now: '2026-11-02T17:00:00Z' }, arrangeCutoffDay);
  const notes = () => h.bot.database.prisma.deployNote.findMany({ orderBy: { id: 'asc' } });

  test('anyone adds a note or an SRE step to the train in progress; text is kept as typed and escaped when shown', async () => {
    expect(await command(h, BOB, 'notes add Restart the mailer &amp; warn <!channel> &lt;b&gt;')).toBe(
      ':white_check_mark: Deploy note `1` added to train 302: Restart the mailer &amp; warn &lt;!channel&gt; &lt;b&gt;\n' +
        'It shows in `/release status` and in the cutoff message. Remove it with `/release notes remove 1`.',
    );
    expect(await command(h, ERIN, 'notes SRE   Run "the" migration first')).toContain(
      'Special step for SRE `2` added to train 302: Run "the" migration first',
    );
    expect((await notes()).map((n) => [n.id, n.train, n.forSre, n.authorSlackId, n.text])).toEqual([
      [1, 302, false, BOB, 'Restart the mailer & warn <!channel> <b>'],
      [2, 302, true, ERIN, 'Run "the" migration first'],
    ]);
    expect(await h.bot.database.prisma.auditEvent.count({ where: { action: 'notes.add' } })).toBe(2);
  });

  test('list shows the notes of a train, SRE steps first, with their numbers', async () => {
    const text = await command(h, MALLORY, 'notes list');
    expect(text).toBe(
      '*Deploy notes for train 302* (2, 1 for SRE):\n' +
        '• `2` :rotating_light: *SRE:* Run "the" migration first _(<@U0ERIN001>)_\n' +
        '• `1` Restart the mailer &amp; warn &lt;!channel&gt; &lt;b&gt; _(<@U0BOB0001>)_',
    );
    expect(await command(h, MALLORY, 'notes')).toBe(text);
    expect(await command(h, MALLORY, 'notes list 303')).toBe('No deploy notes for train 303.');
  });

  test('bad input is refused and changes nothing', async () => {
    expect(await command(h, BOB, 'notes add')).toContain('Write the note after the command');
    expect(await command(h, BOB, 'notes sre    ')).toContain('Write the note after the command');
    expect(await command(h, BOB, `notes add ${'x'.repeat(1001)}`)).toContain('That note is 1001 characters long; keep it under 1000');
    expect(await command(h, BOB, 'notes list next')).toBe(':warning: Give the train as a number, not `next`.');
    expect(await command(h, BOB, 'notes list 302 303')).toContain('`notes list` takes at most a train number.');
    expect(await command(h, BOB, 'notes remove')).toContain('Name one note by its number');
    expect(await command(h, BOB, 'notes remove <!channel>')).toBe(':warning: Give the note as a number, not `&lt;!channel&gt;`.');
    expect(await command(h, BOB, 'notes remove 99')).toContain('There is no deploy note `99`.');
    expect(await command(h, BOB, 'notes delete 1')).toContain("I don't know `notes delete`.");
    expect(await notes()).toHaveLength(2);
  });

  test('only the author, the train’s owner or an admin may remove a note', async () => {
    expect(await command(h, MALLORY, 'notes remove 1')).toBe(
      ':warning: Only <@U0BOB0001>, who wrote note `1`, the owner of train 302 (<@U0ALICE01>) or an admin can remove it.',
    );
    expect(await notes()).toHaveLength(2);
    expect(await command(h, BOB, 'notes remove 1')).toContain(':wastebasket: Removed note `1` from train 302');
    expect(await command(h, ALICE, 'notes remove 2')).toContain('Removed note `2`');
    await command(h, ERIN, 'notes add one more');
    expect(await command(h, ADMIN, 'notes remove 3')).toContain('Removed note `3`');
    expect(await notes()).toEqual([]);
    const removals = await h.bot.database.prisma.auditEvent.findMany({ where: { action: 'notes.remove' }, orderBy: { id: 'asc' } });
    expect(removals.map((r) => r.actor)).toEqual([BOB, ALICE, ADMIN]);
  });

  test('between the cutoff and the tag, notes go to the train being cut; once it is tagged, to the next train', async () => {
    await command(h, BOB, 'notes add for 302');
    h.clock.set(new Date(CUTOFF.getTime() + 60_000));
    // 10:01: train 302 is cut but not tagged: a note is for its deploy, and the reply says so.
    expect(await command(h, BOB, 'notes add at 10:01')).toBe(
      ':white_check_mark: Deploy note `5` added to train 302: at 10:01\n' +
        'Train 302 is being cut (its cutoff has passed and it is not tagged yet), so the note is for its deploy. ' +
        'Meant for train 303? Remove it with `/release notes remove 5` and add it again once train 302 is tagged.',
    );
    expect(await command(h, MALLORY, 'notes list')).toContain('*Deploy notes for train 302* (2)');
    // Still removable until the tag.
    expect(await command(h, BOB, 'notes remove 5')).toContain('Removed note `5` from train 302');
    const main = h.github.branches.get('main');
    if (!main) throw new Error('no main branch');
    h.github.addTag('v1.302.0', main, { annotated: true, message: 'Train release 302' });
    expect(await command(h, BOB, 'notes add for 303')).toContain('added to train 303: for 303\nIt shows in `/release status`');
    expect(await command(h, BOB, 'notes remove 4')).toBe(
      ':warning: Train 302 was cut at Wed 4 Nov, 10:00 PT / 13:00 ET / 18:00 UTC and is tagged; its notes are history now.',
    );
    expect((await notes()).map((n) => [n.id, n.train])).toEqual([
      [4, 302],
      [6, 303],
    ]);
  });
});
