import { startFakeGitHub } from '../fakes/github-server';
import { createOctokit } from '../../src/github/octokit';
import { captureLogs } from './helpers';

test('dbg', async () => {
  const fake = await startFakeGitHub();
  fake.injectFault({ hang: true }, { times: Infinity });
  const logs = captureLogs();
  const o = createOctokit({ token: fake.token, baseUrl: fake.url, logger: logs.logger, requestTimeoutMs: 300 });
  const t0 = Date.now();
  const r = await o.request('GET /repos/{owner}/{repo}/tags', { owner: 'mozilla', repo: 'fxa' }).catch((e: unknown) => e);
  process.stdout.write(`${Date.now() - t0} ${String(r)} ${fake.requestCount()}\n`);
  const r2 = await o.graphql('query { viewer { login } }').catch((e: unknown) => e);
  process.stdout.write(`${Date.now() - t0} ${String(r2)} ${fake.requestCount()}\n${logs.text()}\n`);
  await fake.close();
}, 10000);
