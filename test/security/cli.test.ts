/**
 * Issue 16's "Done when" on the real command line (bin/ → dist/cli.js) against two local bare remotes:
 * security-tag, then a public dot-release of the same train that takes the next number and pushes no object
 * of the private fix; stage-deploy and its refusals.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FIX_FILE, createTwoRemotes, run, type TwoRemotes } from './repos';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'release-conductor.cjs');

function cli(remotes: TwoRemotes, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: remotes.fixture.root,
      env: { PATH: process.env.PATH ?? '', HOME: remotes.fixture.root, DATA_DIR: remotes.fixture.dataDir, USER: 'Alice' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

jest.setTimeout(120_000);

describe('npx release-conductor security-tag / stage-deploy', () => {
  let remotes: TwoRemotes;
  beforeEach(() => {
    remotes = createTwoRemotes();
  });
  afterEach(() => remotes.cleanup());

  test('security-tag counts both repositories; the next public dot-release takes the next number and leaks nothing', async () => {
    // `security start` by hand, as the team's document says: push the public train-1 to the private repository.
    run(remotes.fixture.work, ['push', '--quiet', remotes.privateRemote, 'train-1']);
    const fix = remotes.landFix();
    const repoArgs = ['--repo', remotes.publicRemote, '--private-repo', remotes.privateRemote, '--train', '1'];
    const dry = await cli(remotes, ['security-tag', ...repoArgs, '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toEqual({ tag: 'v1.1.2', commit: remotes.privateGit('rev-parse', 'train-1'), pushedTo: null });
    expect(remotes.privateGit('tag', '--list')).toBe('');

    const real = await cli(remotes, ['security-tag', ...repoArgs, '--json']);
    expect(real.status).toBe(0);
    expect(JSON.parse(real.stdout)).toEqual({
      tag: 'v1.1.2',
      commit: remotes.privateGit('rev-parse', 'train-1'),
      pushedTo: remotes.privateRemote,
    });
    expect(remotes.privateGit('tag', '--list')).toBe('v1.1.2');
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);

    const again = await cli(remotes, ['security-tag', ...repoArgs, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ tag: 'v1.1.2', pushedTo: null });
    expect(remotes.privateGit('tag', '--list')).toBe('v1.1.2');

    const dot = await cli(remotes, [
      'dot-release',
      '--repo',
      remotes.publicRemote,
      '--private-repo',
      remotes.privateRemote,
      '--train',
      '1',
      '--commits',
      remotes.publicFix,
      '--json',
    ]);
    expect(dot.stderr).toBe('');
    expect(JSON.parse(dot.stdout)).toMatchObject({ picked: [remotes.publicFix], conflict: null, tag: 'v1.1.3' });
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1', 'v1.1.3']);
    const publicObjects = remotes.publicGit('rev-list', '--objects', '--all');
    const privateOnly = remotes
      .privateGit('rev-list', '--objects', '--all', '--not', remotes.publicGit('rev-parse', 'train-1^'))
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '');
    const fixObjects = [fix, remotes.privateGit('rev-parse', `${fix}:${FIX_FILE}`)];
    for (const object of fixObjects) expect(privateOnly).toContain(object);
    for (const object of fixObjects) expect(publicObjects).not.toContain(object);
  });

  test('stage-deploy: off the latest train, a hyphenated tag pushed alone; release-like names refused', async () => {
    const json = await cli(remotes, [
      'stage-deploy',
      '--repo',
      remotes.publicRemote,
      '--commits',
      remotes.publicFix,
      '--tag',
      'stage-alice-header',
      '--json',
    ]);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ branch: 'train-1', tag: 'stage-alice-header', picked: [remotes.publicFix], conflict: null });
    expect(remotes.publicGit('cat-file', '-t', 'stage-alice-header')).toBe('tag');
    expect(remotes.publicGit('rev-parse', 'stage-alice-header^{commit}^')).toBe(remotes.publicGit('rev-parse', 'train-1'));
    // The train branch itself is untouched.
    expect(remotes.publicGit('log', '--format=%H', 'train-1')).not.toContain(remotes.publicFix);

    const text = await cli(remotes, ['stage-deploy', '--repo', remotes.publicRemote, '--commits', remotes.publicFix, '--dry-run']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(
      /^Would push stage-alice-\d{8}-\d{4} \(off train-1, 1 pick\(s\)\)\. Services touched: fxa-content-server\./,
    );

    for (const [tag, why] of [
      ['v1.1.9', /must contain a hyphen/],
      ['v1.1.9-test', /could be mistaken for the release v1\.1\.9/],
      ['stage..x', /not a tag name git accepts/],
    ] as const) {
      const refused = await cli(remotes, ['stage-deploy', '--repo', remotes.publicRemote, '--commits', remotes.publicFix, '--tag', tag]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(why);
    }
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['stage-alice-header', 'v1.1.0', 'v1.1.1']);
    const unknown = await cli(remotes, ['stage-deploy', '--repo', remotes.publicRemote, '--commits', 'deadbeef', '--json']);
    expect(unknown.status).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'unknown-commit' } });
  });

  test('stage-deploy stops at the first conflict: exit 1, the conflict in JSON, no tag pushed', async () => {
    const clash = remotes.fixture.commit('feat(content): shout', { 'packages/fxa-content-server/app.js': 'APP\n' });
    remotes.fixture.git('push', '--quiet', 'origin', 'main');
    const stopped = await cli(remotes, [
      'stage-deploy',
      '--repo',
      remotes.publicRemote,
      '--commits',
      `${remotes.publicFix},${clash}`,
      '--tag',
      'stage-alice-clash',
      '--json',
    ]);
    expect(stopped.status).toBe(1);
    expect(JSON.parse(stopped.stdout)).toEqual({
      branch: 'train-1',
      tag: null,
      picked: [remotes.publicFix],
      conflict: { commit: clash, files: ['packages/fxa-content-server/app.js'] },
    });
    expect(remotes.publicGit('tag', '--list').split('\n')).toEqual(['v1.1.0', 'v1.1.1']);
  });
});
