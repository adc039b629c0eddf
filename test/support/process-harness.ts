/// <reference types="jest" />
/** The built bot as real processes (dist/main.js, as `npm run start:prod` runs it) for a describe block. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-server';
import { createSlackRequestSender, type SlackRequestSender } from '../fakes/slack-client';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { dropSchema, freshSchemaName } from './database';
import { fakesEnv, SIGNING_SECRET } from './harness';
import { type BotProcess, freePort, spawnNode, waitForStatus } from './process';

/** The built bot as real processes against the fake Slack and GitHub and one schema, for a describe block. */
export interface ProcessHarness {
  readonly slack: FakeSlack;
  readonly github: FakeGitHub;
  readonly schema: string;
  /** Starts dist/main.js (as `npm run start:prod` does) on a free port and waits for /readyz 200. */
  startBot(env?: Record<string, string>): Promise<{ bot: BotProcess; port: number; sender: SlackRequestSender }>;
}

/**
 * Registers beforeAll/afterAll for a describe block: the fakes start before its tests; afterwards every bot it
 * started is stopped (SIGTERM, unless it died already), the fakes are closed and the schema is dropped.
 */
export function processHarnessForAll(prefix: string): ProcessHarness {
  let slack: FakeSlack | undefined;
  let github: FakeGitHub | undefined;
  const bots: BotProcess[] = [];
  const schema = freshSchemaName(prefix);
  const dataDir = mkdtempSync(path.join(tmpdir(), `conductor-${prefix}-`));
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('processHarnessForAll: the fakes start in beforeAll; use them in a test');
    return value;
  };
  beforeAll(async () => {
    slack = await startFakeSlack();
    github = await startFakeGitHub();
  });
  afterAll(async () => {
    for (const bot of bots) {
      if (bot.child.exitCode === null && bot.child.signalCode === null) {
        bot.child.kill('SIGTERM');
        await bot.exited;
      }
    }
    await slack?.close();
    await github?.close();
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get slack() {
      return started(slack);
    },
    get github() {
      return started(github);
    },
    schema,
    async startBot(env = {}) {
      const fakeSlack = started(slack);
      const port = await freePort();
      const bot = spawnNode('main.js', [], {
        ...fakesEnv({ slack: fakeSlack, github: started(github), schema }),
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...env,
      });
      bots.push(bot);
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, bot, 30_000);
      const sender = createSlackRequestSender({
        eventsUrl: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        teamId: fakeSlack.teamId,
        apiAppId: fakeSlack.appId,
      });
      return { bot, port, sender };
    },
  };
}
