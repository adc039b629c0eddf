/**
 * What FxA's GitHub Actions and CircleCI do around a cut, played on the fake
 * GitHub: a repository with release tags and the two workflows, the tagging
 * run finishing (pushing `train-N` and the annotated tag `v1.N.0` as
 * `tag-release.yml` does, with the number it computes), and CI on the tag.
 */
import { predictWorkflowTrain } from '../../src/train/versions';
import type { CheckRunConclusion, FakeGitHub, FakeWorkflowRun } from './github-server';

export const TAG_WORKFLOW = 'tag-release.yml';
export const IMAGE_WORKFLOW = 'docker.yml';
export const CI_CHECK = 'test_and_deploy_tag';

/**
 * Trains `latestTrain - 1` and `latestTrain` cut, then `merged` squash-merged
 * PRs on main; the two workflows (each dispatch creates a queued run).
 * Returns the head of main.
 */
export function arrangeTaggingRepository(github: FakeGitHub, options: { latestTrain?: number; merged?: number } = {}): string {
  const latest = options.latestTrain ?? 302;
  const [first = ''] = github.addCommits(1);
  github.addTag(`v1.${latest - 1}.0`, first, { annotated: true, message: `Train release ${latest - 1}` });
  let head = github.addCommit({ parents: [first], message: 'Something for the previous train (#9000)' });
  github.addTag(`v1.${latest}.0`, head, { annotated: true, message: `Train release ${latest}` });
  github.setBranch(`train-${latest}`, head);
  for (let i = 0; i < (options.merged ?? 3); i++) {
    head = github.addCommit({ parents: [head], message: `Change number ${i + 1} (#${9100 + i})\n\nDetails.` });
  }
  github.setBranch('main', head);
  if (!github.findWorkflow(TAG_WORKFLOW))
    github.addWorkflow(TAG_WORKFLOW, { name: 'Release Tag Action', inputs: {}, createRunOnDispatch: true });
  if (!github.findWorkflow(IMAGE_WORKFLOW))
    github.addWorkflow(IMAGE_WORKFLOW, { name: 'Docker', inputs: { git_tag: { required: true } }, createRunOnDispatch: true });
  return head;
}

/** The runs of a workflow, oldest first. */
export function runsOf(github: FakeGitHub, workflow: string): FakeWorkflowRun[] {
  return [...github.workflowRuns.values()].filter((run) => run.workflowFile === workflow).sort((a, b) => a.id - b.id);
}

/**
 * Finishes a run of `tag-release.yml`. On success it does what the workflow
 * does: N = (minor of the highest hyphen-free tag) + 1, branch `train-N` and
 * annotated tag `v1.N.0` at the run's commit.
 */
export function finishTagRun(
  github: FakeGitHub,
  run: FakeWorkflowRun,
  conclusion: 'success' | 'failure' = 'success',
  at?: Date,
): { train: number; tag: string; sha: string } | null {
  github.updateWorkflowRun(run.id, { status: 'completed', conclusion, ...(at ? { updatedAt: at.toISOString() } : {}) });
  if (conclusion !== 'success') return null;
  const prediction = predictWorkflowTrain([...github.tags.keys()]);
  if (!prediction) throw new Error('fake tag-release.yml: no tag to count from');
  const train = prediction.train;
  const tag = `v1.${train}.0`;
  github.setBranch(`train-${train}`, run.headSha);
  github.addTag(tag, run.headSha, { annotated: true, message: `Train release ${train}` });
  return { train, tag, sha: run.headSha };
}

/** The run that dispatching `tag-release.yml` started (the first); fails the test when there is none. */
export function theTagRun(github: FakeGitHub): FakeWorkflowRun {
  const [run] = runsOf(github, TAG_WORKFLOW);
  if (!run) throw new Error('fake GitHub: tag-release.yml was not dispatched');
  return run;
}

/** Lets a tag-release run succeed (branch and tag pushed, as the workflow does); returns the cut. */
export function succeedTagRun(github: FakeGitHub, run: FakeWorkflowRun): { train: number; tag: string; sha: string } {
  const cut = finishTagRun(github, run, 'success');
  if (!cut) throw new Error('fake tag-release.yml: a successful run cut nothing');
  return cut;
}

/** Sets the CI check run on a commit (queued, in progress, or completed with a conclusion). */
export function setCi(
  github: FakeGitHub,
  sha: string,
  status: 'queued' | 'in_progress' | 'completed',
  conclusion?: CheckRunConclusion,
): number {
  return github.setCheckRun(sha, {
    name: CI_CHECK,
    status,
    ...(status === 'completed' ? { conclusion: conclusion ?? 'success' } : {}),
    detailsUrl: 'https://app.circleci.com/pipelines/github/mozilla/fxa/4242',
  });
}

/**
 * CI runs again on a commit (a re-run, on CircleCI or GitHub Actions): a new check run of the CI check
 * (a new id) takes the old one's place, as GitHub lists the latest run per name. Returns its id.
 */
export function rerunCi(
  github: FakeGitHub,
  sha: string,
  status: 'queued' | 'in_progress' | 'completed',
  conclusion?: CheckRunConclusion,
): number {
  const index = github.checkRuns.findIndex((run) => run.headSha === sha && run.name === CI_CHECK);
  const old = github.checkRuns[index];
  if (index >= 0) github.checkRuns.splice(index, 1);
  return github.setCheckRun(sha, {
    name: CI_CHECK,
    status,
    ...(status === 'completed' ? { conclusion: conclusion ?? 'success' } : {}),
    detailsUrl: old?.detailsUrl ?? 'https://app.circleci.com/pipelines/github/mozilla/fxa/4243',
    ...(old ? { appSlug: old.appSlug } : {}),
  });
}
