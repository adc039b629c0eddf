import { spawnSync } from 'node:child_process';
import { GitError, createGitRepositories, runDotRelease } from '../../src/git';
import { captureLogs } from '../support/logs';
import { createGitFixture, writeTrainHistory, type GitFixture } from './fixture';
import { startHttpRemote, type HttpRemote } from './http-remote';

// Shaped like a GitHub App installation token, so the logger's scrubbing would hide it: the test looks for it raw too.
const TOKEN = 'ghs_SeCrEt0123456789abcdefghijklmnopqrstu';

// Real git processes (many per test), on a shared 2-core machine.
jest.setTimeout(120_000);

describe('credentials over HTTPS-like remotes', () => {
  let fixture: GitFixture;
  let remote: HttpRemote;
  beforeEach(async () => {
    fixture = createGitFixture();
    remote = await startHttpRemote({ bareRepository: fixture.remote, username: 'x-access-token', password: TOKEN });
  });
  afterEach(async () => {
    await remote.close();
    fixture.cleanup();
  });

  test('the token reaches git through GIT_ASKPASS only: never in an argument list, a URL, the cache or a log line', async () => {
    const history = writeTrainHistory(fixture);
    const logs = captureLogs({ level: 'debug', plain: true });
    let asked = 0;
    const repositories = createGitRepositories({
      dataDir: fixture.dataDir,
      logger: logs.logger,
      gitBinary: fixture.gitBinary,
      env: { PATH: process.env.PATH, HOME: fixture.root },
      credentials: async () => {
        asked += 1;
        return { username: 'x-access-token', password: TOKEN };
      },
    });
    const report = await runDotRelease({ repository: repositories.open(remote.url), train: 1, commits: history.fixes });
    expect(report).toMatchObject({ picked: history.fixes, tag: 'v1.1.1' });
    expect(fixture.remoteGit('rev-parse', 'v1.1.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-1'));
    expect(asked).toBeGreaterThan(0);
    expect(remote.authorizations.length).toBeGreaterThan(0);
    const argv = fixture.recordedArgs();
    expect(argv.length).toBeGreaterThan(10);
    expect(argv.flat().filter((arg) => arg.includes(TOKEN) || arg.includes('SeCrEt') || /:\/\/[^/]*@/.test(arg))).toEqual([]);
    expect(logs.text()).not.toContain('SeCrEt');
    // grep exits 1 when no file under DATA_DIR holds the token.
    const grep = spawnSync('grep', ['-rl', 'SeCrEt', fixture.dataDir], { encoding: 'utf8' });
    expect([grep.status, grep.stdout]).toEqual([1, '']);
  });

  test('without credentials the remote refuses, and the message says what to check', async () => {
    const history = writeTrainHistory(fixture);
    const repositories = createGitRepositories({
      dataDir: fixture.dataDir,
      logger: captureLogs().logger,
      gitBinary: fixture.gitBinary,
      env: { PATH: process.env.PATH, HOME: fixture.root },
    });
    const error = await repositories
      .open(remote.url)
      .classify({ train: 1, commits: history.fixes })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).reason).toBe('network');
    expect((error as GitError).userMessage).toContain('check that the repository is reachable and my credentials are valid');
  });

  test('a URL with a credential in it is refused before git runs', () => {
    const repositories = createGitRepositories({ dataDir: fixture.dataDir, logger: captureLogs().logger, gitBinary: fixture.gitBinary });
    expect(() => repositories.open(remote.url.replace('http://', `http://x-access-token:${TOKEN}@`))).toThrow(
      'The repository URL holds a credential',
    );
    expect(fixture.recordedArgs()).toEqual([]);
  });
});
