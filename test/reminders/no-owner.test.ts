/**
 * A cutoff day with an empty roster: the check-in and the cutoff message say
 * no owner is assigned, authors found through their GitHub e-mail are still
 * asked, and when a sweep cannot run the admins are told instead of the owner.
 */
import { startHarness } from '../support/harness';
import {
  ADMIN,
  ALICE,
  CAROL,
  CHECK_IN,
  CUTOFF,
  SWEEP_1,
  SWEEP_2,
  after,
  arrangeRepository,
  blocksText,
  channelMessages,
  dmsWith,
  settings,
  tickAt,
} from './cutoff-day';

test('without an owner the reminders still run and say so; a failed sweep goes to the admins', async () => {
  const h = await startHarness({ settings: { ...settings, reminderGraceMinutes: 5 }, now: '2026-11-03T17:00:00Z' });
  try {
    for (const [id, name, email] of [
      [ADMIN, 'admin', 'admin@example.com'],
      [ALICE, 'alice', 'alice@example.com'],
      [CAROL, 'carol', 'carol@example.com'],
    ] as const) {
      h.slack.addUser({ id, name, email });
    }
    arrangeRepository(h);
    await tickAt([h], after(CHECK_IN));
    expect(blocksText(channelMessages(h)[0])).toContain(
      'Release owner: _no owner assigned_ (an admin can set it with `/release rotation`)',
    );

    await tickAt([h], after(SWEEP_1));
    // Nobody is on the roster: Carol is found by her GitHub e-mail; the others are not on Slack. No summary: no owner.
    expect(dmsWith(h, CAROL)).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(2);

    h.github.injectFault({ status: 502 }, { times: 2, match: (r) => r.operationName === 'StatusSnapshot' });
    await tickAt([h], after(SWEEP_2)); // the only attempt within a 5-minute grace
    expect(dmsWith(h, ADMIN).map((m) => m.text)).toEqual([
      expect.stringContaining('(Train 302 has no release owner; you are told as an admin.)'),
    ]);

    await tickAt([h], after(CUTOFF));
    const cutoff = channelMessages(h).find((m) => m.text.startsWith('Tagging'));
    expect(blocksText(cutoff)).toContain('No release owner is assigned: an admin can tag it with `/release tag`.');
    expect(blocksText(cutoff)).toContain('The PR sweep of 09:00 PST did not run (failed)');
  } finally {
    await h.close();
  }
});
