/**
 * Issue 13.8: about 12 minutes of GitHub 5xx and timeouts during a cut. The
 * watcher never concludes from what it could not read: no "No run appeared"
 * at 10 minutes, one message saying GitHub is not answering, and once GitHub
 * answers again the real outcome (the tag, CI passed) is reported.
 */
import { setCi, succeedTagRun } from '../fakes/tag-release-workflow';
import { cutOf, repliesNow, startCut, startTaggingHarness, tick } from './helpers';

describe('GitHub failing for 12 minutes during a cut', () => {
  test('nothing is concluded while GitHub fails; it is said once; the tag and green CI are reported when GitHub is back', async () => {
    const h = await startTaggingHarness({ githubTimeoutMs: 300 });
    try {
      const { mark, run } = await startCut(h);
      // GitHub stops answering right after the dispatch: a couple of timeouts, then 5xx.
      h.github.injectFault({ hang: true }, { times: 2 });
      h.github.injectFault({ status: 502 }, { times: Number.POSITIVE_INFINITY });
      // Meanwhile the run does its work: the tag is pushed and CI passes.
      const cut = succeedTagRun(h.github, run);
      setCi(h.github, cut.sha, 'completed', 'success');
      for (let i = 0; i < 12; i++) await tick(h);
      const during = await cutOf(h);
      expect(during).toMatchObject({ state: 'dispatched', runId: null });
      expect(during?.nextCheckAt).not.toBeNull();
      expect(during?.githubDownSince).not.toBeNull();
      const said = (await repliesNow(h, mark)).map((m) => m.text);
      expect(said.some((t) => t.includes('No run of tag-release.yml appeared'))).toBe(false);
      expect(said.filter((t) => t.includes('GitHub is not answering'))).toEqual([
        expect.stringContaining('still watching v1.303.0. I could not look for'),
      ]);

      h.github.clearFaults();
      for (let i = 0; i < 8; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', runId: BigInt(run.id), tagSha: cut.sha, githubDownSince: null });
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies.filter((t) => t.includes('GitHub is not answering'))).toHaveLength(1);
      expect(replies.filter((t) => t.includes(`Tagged v1.303.0 (branch train-303)`))).toHaveLength(1);
      expect(replies.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
      expect(replies.some((t) => /No run of|Stopped watching|ended with/.test(t))).toBe(false);
      expect(h.github.workflowDispatches).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('after the outage, a run that truly never appeared is reported missing from an answer, its deadline pushed back by the outage', async () => {
    const h = await startTaggingHarness({ githubTimeoutMs: 300 });
    try {
      const { mark, run } = await startCut(h);
      h.github.workflowRuns.delete(run.id);
      h.github.injectFault({ status: 502 }, { times: Number.POSITIVE_INFINITY });
      for (let i = 0; i < 12; i++) await tick(h);
      h.github.clearFaults();
      // 10 minutes of answers are needed before "missing": none by 12 + 9 minutes.
      for (let i = 0; i < 9; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'dispatched' });
      for (let i = 0; i < 6; i++) await tick(h);
      expect(await cutOf(h)).toMatchObject({ state: 'run_missing' });
      const replies = (await repliesNow(h, mark)).map((m) => m.text);
      expect(replies.filter((t) => t.includes('No run of tag-release.yml appeared'))).toHaveLength(1);
      expect(replies.filter((t) => t.includes('GitHub is not answering'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
