import { spawn } from 'node:child_process';
import path from 'node:path';
import { createGitFixture, writeTrainHistory, type GitFixture } from '../git/fixture';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'release-conductor.cjs');

/** Runs the real CLI (the built dist/cli.js through bin/), with the fixture's recording `git` first on PATH. */
function cli(fixture: GitFixture, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: fixture.root,
      env: { PATH: `${path.dirname(fixture.gitBinary)}:${process.env.PATH ?? ''}`, HOME: fixture.root, DATA_DIR: fixture.dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// Real git processes (many per test), on a shared 2-core machine.
jest.setTimeout(120_000);

describe('npx release-conductor dot-release / forward-ports / where', () => {
  let fixture: GitFixture;
  beforeEach(() => {
    fixture = createGitFixture();
  });
  afterEach(() => fixture.cleanup());

  test('dot-release --dry-run --json: every step but pushing, then the real run gives the same tree and tag', async () => {
    const history = writeTrainHistory(fixture);
    const commits = history.fixes.join(',');
    const dry = await cli(fixture, ['dot-release', '--repo', fixture.remote, '--train', '1', '--commits', commits, '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned).toEqual({
      picked: history.fixes,
      skipped: [],
      conflict: null,
      tree: expect.stringMatching(/^[0-9a-f]{40}$/),
      tag: 'v1.1.1',
    });
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(history.cut);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.1')).toBe('');
    expect(
      fixture
        .recordedArgs()
        .filter((args) => args.includes('push'))
        .every((args) => args.includes('--dry-run')),
    ).toBe(true);

    const real = await cli(fixture, ['dot-release', '--repo', fixture.remote, '--train', '1', '--commits', commits, '--json']);
    expect(real.status).toBe(0);
    expect(JSON.parse(real.stdout)).toEqual(planned);
    expect(fixture.remoteGit('rev-parse', 'train-1^{tree}')).toBe(planned.tree);
    expect(fixture.remoteGit('tag', '-l', '--format=%(objecttype) %(contents:subject)', 'v1.1.1')).toBe('tag Train release v1.1.1');

    // Run again: everything is on the train already, skipped and said so; nothing tagged twice.
    const again = await cli(fixture, ['dot-release', '--repo', fixture.remote, '--train', '1', '--commits', commits]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`skipped  ${history.fixes[0]?.slice(0, 12)} (already on the train: trailer`);
    expect(again.stdout).toContain('Every commit is on the train already: nothing to release, nothing pushed or tagged.');
    expect(fixture.remoteGit('tag', '-l', 'v1.1.*').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
  });

  test('a conflict in the second of three commits: exit 1, the conflict in JSON, train-1 untouched, the hand-off branch pushed', async () => {
    const history = writeTrainHistory(fixture, { conflictOnSecond: true });
    const before = fixture.remoteGit('rev-parse', 'train-1');
    const args = [
      'dot-release',
      '--repo',
      fixture.remote,
      '--train',
      '1',
      '--commits',
      history.fixes.join(','),
      '--work-branch',
      'dot/train-1.1',
    ];
    const json = await cli(fixture, [...args, '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      picked: [history.fixes[0]],
      skipped: [],
      conflict: { commit: history.fixes[1], files: ['a.txt'] },
      tree: fixture.remoteGit('rev-parse', 'dot/train-1.1^{tree}'),
      tag: null,
    });
    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(before);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.1')).toBe('');
    const text = await cli(fixture, args);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`CONFLICT ${history.fixes[1]?.slice(0, 12)} in a.txt`);
    expect(text.stdout).toContain('nothing was pushed to the train branch and nothing was tagged');
    expect(text.stdout).toContain(`git cherry-pick -x ${history.fixes[1]}`);
  });

  test('bad input: each a clear message and nothing pushed', async () => {
    const history = writeTrainHistory(fixture);
    fixture.git('switch', '--quiet', '-c', 'feature', history.cut);
    const side = fixture.commit('wip', { 'w.txt': 'w\n' });
    fixture.git('push', '--quiet', 'origin', 'feature');
    const run = (...args: string[]) => cli(fixture, ['dot-release', '--repo', fixture.remote, ...args]);

    const unknown = await run('--train', '1', '--commits', 'abcdef1234', '--json');
    expect(unknown.status).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: { code: 'unknown-commit', message: expect.stringContaining('The repository has no commit `abcdef1234`') },
    });
    expect(unknown.stderr).toContain('release-conductor dot-release: The repository has no commit `abcdef1234`');

    const notOnMain = await run('--train', '1', '--commits', side);
    expect(notOnMain.status).toBe(1);
    expect(notOnMain.stderr).toContain('is not on main. A dot release takes only commits already merged to main');

    const noBranch = await run('--train', '9', '--commits', history.fixes[0] ?? '');
    expect(noBranch.stderr).toContain('Train 9 has no branch train-9 on the remote');

    const empty = await run('--train', '1', '--commits', ',');
    expect(empty.stderr).toContain('The plan for train 1 has no commit');

    const noTrain = await run('--commits', history.fixes[0] ?? '');
    expect(noTrain.status).toBe(2);
    expect(noTrain.stderr).toContain('--train expects a train number such as 301');

    const noRepo = await cli(fixture, ['where', history.fixes[0] ?? '']);
    expect(noRepo.status).toBe(2);
    expect(noRepo.stderr).toContain('--repo expects the path of a clone or the URL of a repository');

    fixture.protect('refs/heads/train-1');
    const refused = await run('--train', '1', '--commits', history.fixes.join(','));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('The remote refused my push (pre-receive hook declined)');

    fixture.failNext('fetch', 'fatal: the remote end hung up unexpectedly');
    const network = await run('--train', '1', '--commits', history.fixes.join(','));
    expect(network.stderr).toContain('I could not talk to the git remote');

    expect(fixture.remoteGit('rev-parse', 'train-1')).toBe(history.cut);
    expect(fixture.remoteGit('tag', '-l', 'v1.1.*')).toBe('v1.1.0');
  });

  test('forward-ports --json and where --json', async () => {
    const history = writeTrainHistory(fixture);
    fixture.git('branch', 'train-2', history.later);
    fixture.git('tag', '-a', '-m', 'Train release 2', 'v1.2.0', history.later);
    fixture.git('push', '--quiet', 'origin', 'train-2', 'refs/tags/v1.2.0');
    // Train 1 gets fix1 (also on train 2 by then) and a train-only fix.
    fixture.git('switch', '--quiet', 'train-1');
    fixture.git('cherry-pick', '-x', history.fixes[0] ?? '');
    const picked = fixture.git('rev-parse', 'HEAD');
    const only = fixture.commit('fix: only on train 1', { 'x.txt': 'x\n' });
    fixture.git('push', '--quiet', 'origin', 'train-1');
    const ports = await cli(fixture, ['forward-ports', '--repo', fixture.remote, '--json']);
    expect(ports.status).toBe(0);
    expect(JSON.parse(ports.stdout)).toEqual([
      { lower: 1, upper: 2, sha: picked, subject: 'fix(b): buzz', onUpper: true, matchedBy: 'trailer' },
      { lower: 1, upper: 2, sha: only, subject: 'fix: only on train 1', onUpper: false, matchedBy: null },
    ]);
    const table = await cli(fixture, ['forward-ports', '--repo', fixture.remote]);
    expect(table.stdout).toMatch(/1 → 2\s+[0-9a-f]{12}\s+NO\s+-\s+fix: only on train 1/);

    const where = await cli(fixture, ['where', history.fixes[0] ?? '', '--repo', fixture.remote, '--json']);
    expect(JSON.parse(where.stdout)).toEqual({
      sha: history.fixes[0],
      subject: 'fix(b): buzz',
      onMain: true,
      trains: [
        { train: 1, branch: 'train-1', matchedBy: 'trailer', commit: picked, tags: [] },
        { train: 2, branch: 'train-2', matchedBy: 'same-commit', commit: history.fixes[0], tags: ['v1.2.0'] },
      ],
    });
    const text = await cli(fixture, ['where', history.fixes[0] ?? '', '--repo', fixture.remote]);
    expect(text.stdout).toContain(`train-1 as ${picked.slice(0, 12)} (trailer); tags: none yet`);
  });
});
