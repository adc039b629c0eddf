/**
 * The README's run command as a user runs it: `npm start` with NODE_ENV=production, from the project root,
 * against PostgreSQL and the fake Slack and GitHub. The suite's global setup built dist/ as `npm start` builds
 * it, so this start does not rebuild: it migrates, serves, and answers /readyz 200. Ctrl-C (SIGINT to the
 * process group, as a terminal sends it) stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reasonToBuild } from '../../scripts/build.cjs';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { dropSchema, freshSchemaName } from '../support/database';
import { fakesEnv } from '../support/harness';
import { freePort, spawnProcess, waitForStatus } from '../support/process';

const root = path.resolve(__dirname, '..', '..');

describe('npm start (NODE_ENV=production)', () => {
  let slack: FakeSlack;
  let github: FakeGitHub;
  const schema = freshSchemaName('npm-start');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'conductor-npm-start-'));
  beforeAll(async () => {
    slack = await startFakeSlack();
    github = await startFakeGitHub();
  });
  afterAll(async () => {
    await slack.close();
    await github.close();
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('starts the built bot without rebuilding and answers /readyz 200', async () => {
    // Were the sources edited while the suite runs, npm start would rebuild dist/ under the other process tests.
    expect(reasonToBuild(root)).toBeUndefined();
    const port = await freePort();
    const bot = spawnProcess('npm', ['start'], {
      cwd: root,
      // Its own process group, which Ctrl-C signals as a whole (npm, the shell, node).
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        NODE_ENV: 'production',
        ...fakesEnv({ slack, github, schema }),
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
    });
    const { child, exited, output } = bot;
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, bot, 60_000);
      expect(output()).toContain('dist/ is up to date with the sources; not rebuilding');
      expect(output()).not.toContain('building (');
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
      await exited;
    }
  }, 90_000);
});
