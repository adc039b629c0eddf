/**
 * Issue 13, reproduction 1: a burst of signed `/release status` far beyond
 * what the bot can answer, sent to the bot as `npm run start:prod` runs it
 * (dist/main.js with the production memory options). Every request is acked,
 * and every acked request gets an answer through its response_url: the work's
 * own, or at once that the bot is busy and to try again in a minute. Before
 * the queue of work after acks was bounded, the work piled up (the heap ran
 * out, or the answers never came).
 */
import type { FakeSlack } from '../fakes/slack-server';
import type { BotProcess } from '../support/process';
import { processHarnessForAll } from '../support/process-harness';

/** Far beyond the bounds of the queue (src/server/in-flight.ts DEFAULT_WORK_BOUNDS); with the queue unbounded, the heap ran out (SIGABRT). */
const BURST = 12_000;
/** Requests in flight at once: the bot acks them all (loopback only). */
const CONCURRENCY = 200;
const BUSY_WORDS = 'try again in a minute';

jest.setTimeout(240_000);

/** Runs `task` for 0..count-1 with at most `concurrency` at once. */
async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe('the bot as a process, under a burst far beyond what it can answer', () => {
  const h = processHarnessForAll('overload');

  test('acks every request, answers or tells busy every acked one, and stays up and answering', async () => {
    const { bot: started, sender } = await h.startBot();
    const { slack } = h;

    const statuses = new Map<number, number>();
    await pool(BURST, CONCURRENCY, async (index) => {
      const response = await sender.sendSlashCommand({ text: 'status', responseUrl: slack.responseUrl(`burst-${index}`) });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    });
    expect(Object.fromEntries(statuses)).toEqual({ 200: BURST });

    // Every acked request gets its answer or "busy"; a status may answer twice (a partial dashboard first), so count ids.
    // The responses only grow (nothing resets the fake meanwhile): each pass reads the ones that came since the last.
    const answered = new Set<string>();
    const busy = new Set<string>();
    let read = 0;
    const deadline = Date.now() + 120_000;
    while (answered.size + busy.size < BURST && Date.now() < deadline && alive(started)) {
      for (const response of slack.responses.slice(read)) {
        if (!response.id.startsWith('burst-')) continue;
        if (JSON.stringify(response.body).includes(BUSY_WORDS)) busy.add(response.id);
        else answered.add(response.id);
      }
      read = slack.responses.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect({ exited: started.child.exitCode ?? started.child.signalCode, output: started.output().slice(-2000) }).toEqual({
      exited: null,
      output: expect.any(String),
    });
    const told = new Set([...answered, ...busy]);
    expect({ answeredOrToldBusy: told.size, toldBusy: busy.size > 0 }).toEqual({ answeredOrToldBusy: BURST, toldBusy: true });
    // Nobody was told busy and then answered anyway (the busy work did not run).
    expect([...busy].filter((id) => answered.has(id))).toEqual([]);

    // Afterwards it answers again, with the work's own answer.
    await sender.sendSlashCommand({ text: 'help', responseUrl: slack.responseUrl('after-burst') });
    const [after] = await waitForId(slack, 'after-burst');
    expect(JSON.stringify(after?.body)).toContain('/release* does:');
  });
});

function alive(bot: BotProcess): boolean {
  return bot.child.exitCode === null && bot.child.signalCode === null;
}

async function waitForId(slack: FakeSlack, id: string, timeoutMs = 30_000): Promise<FakeSlack['responses'][number][]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = slack.responsesTo(id);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no response_url POST for ${id} within ${timeoutMs} ms`);
}
