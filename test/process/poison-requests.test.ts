/**
 * Issue 13, reproductions 2, 3 and 4 on the bot as `npm run start:prod` runs
 * it: a signed `payload=null` (form) or JSON `null` killed the process (a
 * TypeError inside Bolt 5.1's request parsing that nothing caught); bodies had
 * no limit of ours; signed requests dated in the future ran. Each is refused
 * at the HTTP edge now, and the process lives on and answers.
 */
import { request } from 'node:http';
import { processHarnessForAll } from '../support/process-harness';

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
  const h = processHarnessForAll('poison');

  test('refuses each at the edge, stays up, and answers the next command', async () => {
    const { bot: started, port, sender } = await h.startBot();
    const { slack } = h;
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;

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
