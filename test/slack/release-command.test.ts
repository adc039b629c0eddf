import { setTimeout as sleep } from 'node:timers/promises';
import { harnessForAll, type Harness } from '../support/harness';

/** Everything the bot said back through response URLs, as text (blocks included). */
function responseText(h: Harness, index = -1): string {
  const response = h.slack.responses.at(index);
  if (!response) throw new Error('no response yet');
  return JSON.stringify(response.body);
}

describe('/release over signed HTTP', () => {
  const h = harnessForAll();
  beforeEach(() => {
    h.slack.reset();
    h.slack.responses.length = 0;
  });

  test('help lists every implemented subcommand, to the caller only', async () => {
    const reply = await h.sender.sendSlashCommand({ text: 'help' });
    expect(reply.status).toBe(200);
    await h.slack.waitForResponses(1, 3000);
    const body = h.slack.responses[0]?.body;
    expect(body?.response_type).toBe('ephemeral');
    expect(body?.text).toContain('`/release status`');
    expect(body?.text).toContain('`/release help`');
  });

  test('an empty command shows help', async () => {
    await h.sender.sendSlashCommand({ text: '' });
    await h.slack.waitForResponses(1, 3000);
    expect(responseText(h)).toContain('`/release status`');
  });

  test('an unknown subcommand gets help and the closest match, ephemerally', async () => {
    await h.sender.sendSlashCommand({ text: 'stauts' });
    await h.slack.waitForResponses(1, 3000);
    const body = h.slack.responses[0]?.body;
    expect(body?.response_type).toBe('ephemeral');
    expect(body?.text).toMatch(/I don't know `stauts`\. Did you mean `\/release status`\?/);
    expect(body?.text).toContain('`/release help`');
  });

  test('an unknown word far from every subcommand gets help without a guess', async () => {
    await h.sender.sendSlashCommand({ text: 'deploy-everything' });
    await h.slack.waitForResponses(1, 3000);
    expect(responseText(h)).toContain("I don't know `deploy-everything`.");
    expect(responseText(h)).not.toContain('Did you mean');
  });

  test('user text echoed back is escaped: no @channel, no mentions', async () => {
    await h.sender.sendSlashCommand({ text: '<!channel> & <@U0123ABCD>' });
    await h.slack.waitForResponses(1, 3000);
    const text = String(h.slack.responses[0]?.body.text);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  test('stray arguments are refused with the usage', async () => {
    await h.sender.sendSlashCommand({ text: 'status please now' });
    await h.slack.waitForResponses(1, 3000);
    expect(h.slack.responses[0]?.body.text).toMatch(/`\/release status` does not take `please now`\. Usage: `\/release status`/);
    expect(h.github.requests).toHaveLength(0);
  });

  test('unsigned, wrongly signed and stale requests get 401 and change nothing', async () => {
    const before = await h.bot.database.sql.query('SELECT key FROM handled_deliveries');
    const unsigned = await h.sender.sendSlashCommand({ text: 'help' }, { signature: null });
    const wrong = await h.sender.sendSlashCommand({ text: 'help' }, { signingSecret: 'not-the-secret' });
    const stale = await h.sender.sendSlashCommand({ text: 'help' }, { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([unsigned.status, wrong.status, stale.status]).toEqual([401, 401, 401]);
    await sleep(200);
    expect(h.slack.responses).toHaveLength(0);
    expect(await h.bot.database.sql.query('SELECT key FROM handled_deliveries')).toEqual(before);
    expect(h.github.requests).toHaveLength(0);
  });

  test('a Slack retry of the same delivery does not run the command twice', async () => {
    const fields = h.sender.slashCommandFields({ text: 'help', triggerId: 'retried.trigger.1' });
    const first = await h.sender.sendSlashCommandFields(fields);
    const retry = await h.sender.sendSlashCommandFields(fields, { retryNum: 1, retryReason: 'http_timeout' });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.slack.waitForResponses(1, 3000);
    await sleep(300);
    expect(h.slack.responses).toHaveLength(1);
  });

  test('the ack does not wait for GitHub', async () => {
    h.github.injectFault({ delayMs: 2500 }, { times: 1 });
    const reply = await h.sender.sendSlashCommand({ text: 'status' });
    expect(reply.status).toBe(200);
    // GitHub takes 2.5 s to answer; the HTTP response came before that.
    expect(reply.elapsedMs).toBeLessThan(2500);
    await h.slack.waitForResponses(2, 6000);
  });
});
