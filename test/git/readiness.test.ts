/** git missing or older than 2.25: reported by /readyz from the start (as a warning: everything else still works). */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkGitVersion } from '../../src/git';
import { processHarnessForAll } from '../support/process-harness';

jest.setTimeout(120_000);

const bins = mkdtempSync(path.join(tmpdir(), 'rc-fake-git-'));
function fakeGit(name: string, version: string): string {
  const dir = path.join(bins, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'git'), `#!/bin/sh\necho "git version ${version}"\n`);
  chmodSync(path.join(dir, 'git'), 0o755);
  return dir;
}
const oldGit = fakeGit('old', '2.20.1');
const newGit = fakeGit('new', '2.25.0.windows.1');
const noGit = path.join(bins, 'none');
afterAll(() => rmSync(bins, { recursive: true, force: true }));

describe('checkGitVersion', () => {
  test('accepts 2.25 and newer, says what is wrong otherwise', async () => {
    expect(await checkGitVersion()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(await checkGitVersion({ env: { PATH: newGit } })).toEqual({ ok: true, version: '2.25.0' });
    expect(await checkGitVersion({ env: { PATH: oldGit } })).toEqual({
      ok: false,
      version: '2.20.1',
      reason: 'git 2.20.1 is too old: partial clones need git 2.25.0 or newer',
    });
    expect(await checkGitVersion({ env: { PATH: noGit } })).toEqual({
      ok: false,
      version: null,
      reason: 'git is not installed (git could not run); install git 2.25.0 or newer',
    });
  });
});

describe('/readyz of the built bot', () => {
  const harness = processHarnessForAll('gitready');

  test('an old git is a readiness warning', async () => {
    const { port } = await harness.startBot({ PATH: oldGit });
    const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string; warnings?: string[] };
    expect(body).toEqual({
      status: 'ready',
      warnings: ['git: git 2.20.1 is too old: partial clones need git 2.25.0 or newer; dot releases cannot run'],
    });
  });

  test('no git at all is a readiness warning', async () => {
    const { port } = await harness.startBot({ PATH: noGit });
    const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string; warnings?: string[] };
    expect(body.warnings).toEqual(['git: git is not installed (git could not run); install git 2.25.0 or newer; dot releases cannot run']);
  });

  test('a good git: no warning', async () => {
    const { port } = await harness.startBot({ PATH: newGit });
    const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string; warnings?: string[] };
    expect(body.warnings).toBeUndefined();
  });
});
