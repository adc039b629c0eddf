/**
 * GitHub failing during a PR sweep: the sweep is retried within its grace
 * window; when it could not run, the owner is told, and the cutoff message
 * says so.
 */
import { startHarness, type Harness } from '../support/harness';
import {
  ALICE,
  BOB,
  CAROL,
  CUTOFF,
  SWEEP_1,
  after,
  arrangeCutoffDay,
  blocksText,
  channelMessages,
  dmsWith,
  settings,
  tickAt,
} from './cutoff-day';

const sweepRuns = (h: Harness) =>
  h.bot.database.sql.query<{ scheduledAt: Date; status: string; attempts: number }>(
    `SELECT "scheduledAt", status, attempts FROM job_runs WHERE job = 'pr-sweep' ORDER BY "scheduledAt"`,
  );
const snapshotQueries = { match: (r: { operationName?: string }) => r.operationName === 'StatusSnapshot' };

describe('GitHub failing during a sweep', () => {
  test('the sweep is retried within its grace window and then DMs everyone once', async () => {
    const h = await startHarness({ settings, now: '2026-11-04T14:00:00Z' });
    try {
      await arrangeCutoffDay(h);
      h.github.injectFault({ status: 502 }, { times: 2, ...snapshotQueries });
      await tickAt([h], after(SWEEP_1));
      expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);
      expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
      // Not due again before the retry delay.
      await tickAt([h], after(SWEEP_1, 3));
      expect(h.slack.callsTo('chat.postMessage')).toEqual([]);
      await tickAt([h], after(SWEEP_1, 7));
      expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'done', attempts: 2 })]);
      expect([dmsWith(h, ALICE).length, dmsWith(h, BOB).length, dmsWith(h, CAROL).length]).toEqual([2, 1, 1]);
      // Nothing about a failure reached the owner.
      expect(
        dmsWith(h, ALICE)
          .map((m) => m.text)
          .join(' '),
      ).not.toContain('could not run');
    } finally {
      await h.close();
    }
  });

  test('when the last attempt fails the owner is told once, and the cutoff message says the sweep did not run', async () => {
    const h = await startHarness({ settings: { ...settings, reminderGraceMinutes: 10 }, now: '2026-11-04T14:00:00Z' });
    try {
      await arrangeCutoffDay(h);
      h.github.injectFault({ status: 503 }, { times: 4, ...snapshotQueries });
      await tickAt([h], after(SWEEP_1));
      expect(dmsWith(h, ALICE)).toEqual([]);
      await tickAt([h], after(SWEEP_1, 7)); // attempt 2: no third one fits in the 10-minute grace
      await tickAt([h], after(SWEEP_1, 13)); // beyond grace: nothing more
      expect(await sweepRuns(h)).toEqual([expect.objectContaining({ status: 'failed', attempts: 2 })]);
      const told = dmsWith(h, ALICE);
      expect(told.map((m) => m.text)).toEqual([
        expect.stringMatching(
          /^:warning: The PR sweep of train 302 due at 07:00 PST could not run: GitHub is not answering \(HTTP 503\)\. Nobody was asked whether their PRs will land\./,
        ),
      ]);
      expect(dmsWith(h, BOB)).toEqual([]);

      await tickAt([h], after(CUTOFF));
      const [cutoff] = channelMessages(h).filter((m) => m.text.startsWith('Tagging'));
      expect(blocksText(cutoff)).toContain('The PR sweep of 07:00 PST did not run (failed); its authors were not asked.');
    } finally {
      await h.close();
    }
  });
});
