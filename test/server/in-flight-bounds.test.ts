import type { RespondArguments, ViewResponseAction } from '@slack/bolt';
import { InFlightWork } from '../../src/server/in-flight';
import { afterAck, answerModal, BUSY_MODAL_TEXT } from '../../src/slack/after-ack';
import { silentLogger } from '../support/database';
import { captureLogs } from '../support/logs';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('the queue of work after acks is bounded', () => {
  test('past the bound, admit runs nothing and returns undefined; a settled piece makes room again', async () => {
    const inFlight = new InFlightWork({ bounds: { light: 2, heavy: 1 } });
    const held = gate();
    const ran: string[] = [];
    const first = inFlight.admit('light', async () => {
      ran.push('first');
      await held.promise;
    });
    const second = inFlight.admit('light', async () => {
      ran.push('second');
      await held.promise;
    });
    const third = inFlight.admit('light', async () => {
      ran.push('third');
    });
    expect([first !== undefined, second !== undefined, third]).toEqual([true, true, undefined]);
    // Heavy work has its own bound.
    expect(inFlight.admit('heavy', async () => undefined)).toBeDefined();
    expect(inFlight.admit('heavy', async () => undefined)).toBeUndefined();
    held.open();
    await Promise.all([first, second]);
    expect(ran).toEqual(['first', 'second']);
    await inFlight.idle(1_000);
    expect(inFlight.load.admitted).toEqual({ light: 0, heavy: 0 });
    expect(inFlight.load.refused).toEqual({ light: 1, heavy: 1 });
    expect(inFlight.admit('light', async () => undefined)).toBeDefined();
  });

  test('a piece that fails also makes room', async () => {
    const inFlight = new InFlightWork({ bounds: { light: 1 } });
    await expect(inFlight.admit('light', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(inFlight.load.admitted.light).toBe(0);
  });

  test('afterAck past the bound tells the person at once, ephemerally, to try again in a minute, and does not run the work', async () => {
    const inFlight = new InFlightWork({ bounds: { light: 1 } });
    const held = gate();
    const replies: RespondArguments[] = [];
    const reply = async (message: RespondArguments) => {
      replies.push(message);
    };
    let ran = 0;
    afterAck({ inFlight, logger: silentLogger, reply }, async () => {
      ran += 1;
      await held.promise;
    });
    afterAck({ inFlight, logger: silentLogger, reply, what: '/release notes add <b>' }, async () => {
      ran += 1;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(replies).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text:
          ":hourglass_flowing_sand: I'm handling too many requests at once right now, so I did not do `/release notes add &lt;b&gt;`: " +
          'nothing was changed. Please try again in a minute.',
      },
    ]);
    held.open();
    await inFlight.idle(1_000);
    expect(ran).toBe(1);
  });

  test('a burst of refusals is one log line at once, then one line summing up the rest, not a line each', async () => {
    const inFlight = new InFlightWork({ bounds: { light: 1 }, busyLogEveryMs: 100 });
    const logs = captureLogs({ level: 'info' });
    const held = gate();
    const replies: RespondArguments[] = [];
    const reply = async (message: RespondArguments) => {
      replies.push(message);
    };
    afterAck({ inFlight, logger: logs.logger, reply }, () => held.promise);
    for (let i = 0; i < 50; i += 1) afterAck({ inFlight, logger: logs.logger, reply }, async () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // Each person is told; the log has the first refusal only, so far.
    expect(replies).toHaveLength(50);
    const busyLines = () => logs.warnings().map(({ msg, refusedSince }) => ({ msg, refusedSince }));
    expect(busyLines()).toEqual([{ msg: 'too busy: work refused, told the person to try again in a minute', refusedSince: undefined }]);
    for (const deadline = Date.now() + 5_000; busyLines().length < 2 && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(busyLines()).toEqual([
      { msg: 'too busy: work refused, told the person to try again in a minute', refusedSince: undefined },
      { msg: 'too busy: more work refused meanwhile', refusedSince: 49 },
    ]);
    // The burst is over (a window went by without a refusal): the next refusal is logged at once again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    afterAck({ inFlight, logger: logs.logger, reply }, async () => undefined);
    expect(busyLines()).toHaveLength(3);
    held.open();
    await inFlight.idle(1_000);
  });

  test('a modal submission past the bound keeps the modal open with a field error saying to submit again in a minute', async () => {
    const inFlight = new InFlightWork({ bounds: { light: 1 } });
    const held = gate();
    const acks: (ViewResponseAction | undefined)[] = [];
    const ack = async (response?: ViewResponseAction) => {
      acks.push(response);
    };
    let ran = 0;
    const options = { inFlight, logger: silentLogger, ack, errorBlock: 'reason', afterFailed: 'after failed' };
    const first = answerModal(options, async () => {
      ran += 1;
      await held.promise;
      return { ack: { response_action: 'clear' } };
    });
    await answerModal(options, async () => {
      ran += 1;
      return { ack: { response_action: 'clear' } };
    });
    expect(acks).toEqual([{ response_action: 'errors', errors: { reason: BUSY_MODAL_TEXT } }]);
    held.open();
    await first;
    expect(ran).toBe(1);
    expect(acks.at(-1)).toEqual({ response_action: 'clear' });
  });
});
