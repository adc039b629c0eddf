/** How the answers after acks end, as `release_conductor_answers_total` counts them: answered, failed, busy. */
import type { AnswerOutcome } from '../../src/metrics';
import { InFlightWork } from '../../src/server/in-flight';
import { afterAck } from '../../src/slack/after-ack';
import { silentLogger } from '../support/database';

test('work that answers, work that fails (the person is told), and work refused because the bot is busy', async () => {
  const outcomes: AnswerOutcome[] = [];
  const inFlight = new InFlightWork({ bounds: { light: 2 }, onAnswer: (outcome) => outcomes.push(outcome) });
  const replies: unknown[] = [];
  const reply = async (message: unknown) => void replies.push(message);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  afterAck({ inFlight, logger: silentLogger, reply }, () => held);
  afterAck({ inFlight, logger: silentLogger, reply }, () => Promise.reject(new Error('GitHub said no')));
  // Two pieces admitted and not settled: the third is refused at once.
  afterAck({ inFlight, logger: silentLogger, reply, what: '/release status' }, () => Promise.resolve());
  expect(outcomes).toEqual(['busy']);
  release();
  expect(await inFlight.idle(5000)).toBe(true);
  expect(outcomes.sort()).toEqual(['answered', 'busy', 'failed']);
  // The failure and the refusal were told to the person.
  expect(replies).toHaveLength(2);
});
