/**
 * Issue 13, reproductions 2, 3 and 4 on the bot as `npm run start:prod` runs
 * it: a signed `payload=null` (form) or JSON `null` killed the process (a
 * TypeError inside Bolt 5.1's request parsing that nothing caught); bodies had
 * no limit of ours; signed requests dated in the future ran. Each is refused
 * at the HTTP edge now, and the process lives on and answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { createSlackRequestSender } from '../fakes/slack-client';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { dropSchema, freshSchemaName } from '../support/database';
import { fakesEnv, SIGNING_SECRET } from '../support/harness';
import { type BotProcess, freePort, spawnNode, waitForStatus } from '../support/process';

jest.setTimeout(60_000);

/** Announces `bytes` and sends only the first kilobyte; resolves with the bot's status. */
function announceOversized(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(bytes) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write(`{"a":"${'x'.repeat(1024)}`);
  });
}

describe('the bot as a process, sent poison requests', () => {
  let slack: FakeSlack;
  let github: FakeGitHub;
  let bot: BotProcess | undefined;
  const schema = freshSchemaName('poison');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'conductor-poison-'));

  beforeAll(async () => {
    slack = await startFakeSlack();
    github = await startFakeGitHub();
  });
  afterAll(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await slack.close();
    await github.close();
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('refuses each at the edge, stays up, and answers the next command', async () => {
    const port = await freePort();
    const started = spawnNode('main.js', [], {
      ...fakesEnv({ slack, github, schema }),
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
    bot = started;
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, started, 30_000);
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    const sender = createSlackRequestSender({ eventsUrl, signingSecret: SIGNING_SECRET, teamId: slack.teamId, apiAppId: slack.appId });

    const nowSeconds = Math.floor(Date.now() / 1000);
    const answers = {
      formNull: (await sender.sendRaw('payload=null', 'application/x-www-form-urlencoded')).status,
      jsonNull: (await sender.sendRaw('null', 'application/json')).status,
      oversized: await announceOversized(eventsUrl, 2 * 1024 * 1024),
      tenMinutesAhead: (await sender.sendSlashCommand({ text: 'help' }, { timestampSeconds: nowSeconds + 600 })).status,
      aYearAhead: (await sender.sendSlashCommand({ text: 'help' }, { timestampSeconds: nowSeconds + 365 * 86_400 })).status,
    };
    expect(answers).toEqual({ formNull: 400, jsonNull: 400, oversized: 413, tenMinutesAhead: 401, aYearAhead: 401 });

    await sender.sendSlashCommand({ text: 'help', responseUrl: slack.responseUrl('after-poison') });
    const deadline = Date.now() + 20_000;
    while (slack.responsesTo('after-poison').length === 0 && Date.now() < deadline && started.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect({ exited: started.child.exitCode ?? started.child.signalCode, answered: slack.responsesTo('after-poison').length }).toEqual({
      exited: null,
      answered: 1,
    });
    // The future-dated commands never ran: the only answer is the last command's.
    expect(slack.responses.map((r) => r.id)).toEqual(['after-poison']);
  });
});
