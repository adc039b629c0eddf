import { AcksFirst } from '../../src/server/acks-first';
import { InFlightWork } from '../../src/server/in-flight';

/** Whether `promise` has settled, after the given fake milliseconds (and the immediates they let run). */
async function settledAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await jest.advanceTimersByTimeAsync(ms);
  return settled;
}

describe('AcksFirst: work that follows an ack waits for the burst of requests to be acked', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const gate = (): AcksFirst => new AcksFirst({ quietMs: 5, maxDeferMs: 1_000, clock: () => Date.now() });

  test('with no request open, the work goes on at the next turn of the event loop', async () => {
    const acksFirst = gate();
    expect(await settledAfter(acksFirst.whenQuiet(), 0)).toBe(true);
  });

  test('waits while a request is open, and for the quiet period after the last one is answered', async () => {
    const acksFirst = gate();
    const answered = acksFirst.requestOpened();
    const quiet = acksFirst.whenQuiet();
    expect(await settledAfter(quiet, 200)).toBe(false);
    answered();
    expect(await settledAfter(quiet, 4)).toBe(false);
    // The quiet period is over; the work goes on at the next turn of the event loop.
    expect(await settledAfter(quiet, 2)).toBe(true);
    expect(acksFirst.waiting).toBe(0);
  });

  test('a request arriving during the quiet period starts it again', async () => {
    const acksFirst = gate();
    acksFirst.requestOpened()();
    const quiet = acksFirst.whenQuiet();
    expect(await settledAfter(quiet, 3)).toBe(false);
    const second = acksFirst.requestOpened();
    expect(await settledAfter(quiet, 10)).toBe(false);
    second();
    expect(await settledAfter(quiet, 4)).toBe(false);
    expect(await settledAfter(quiet, 2)).toBe(true);
  });

  test('never waits longer than maxDeferMs, even if requests never stop', async () => {
    const acksFirst = gate();
    acksFirst.requestOpened();
    const quiet = acksFirst.whenQuiet();
    expect(await settledAfter(quiet, 999)).toBe(false);
    expect(await settledAfter(quiet, 2)).toBe(true);
  });

  test('waiting work goes on in the order it came', async () => {
    const acksFirst = gate();
    const answered = acksFirst.requestOpened();
    const order: number[] = [];
    const all = Promise.all([1, 2, 3].map((n) => acksFirst.whenQuiet().then(() => order.push(n))));
    answered();
    await jest.advanceTimersByTimeAsync(4);
    expect(order).toEqual([]);
    // Once the quiet period is over, they go on one turn of the event loop after another, first come first.
    await jest.advanceTimersByTimeAsync(10);
    await all;
    expect(order).toEqual([1, 2, 3]);
  });

  test('answering a request twice counts once', async () => {
    const acksFirst = gate();
    const first = acksFirst.requestOpened();
    acksFirst.requestOpened();
    first();
    first();
    expect(acksFirst.openRequests).toBe(1);
    expect(await settledAfter(acksFirst.whenQuiet(), 100)).toBe(false);
  });

  test('InFlightWork starts queued work only once the requests have been acked', async () => {
    const acksFirst = gate();
    const inFlight = new InFlightWork({ acksFirst });
    const answered = acksFirst.requestOpened();
    let started = false;
    const work = inFlight.run(async () => {
      started = true;
    });
    await jest.advanceTimersByTimeAsync(200);
    expect(started).toBe(false);
    expect(inFlight.size).toBe(1);
    answered();
    await jest.advanceTimersByTimeAsync(10);
    await work;
    expect(started).toBe(true);
    expect(inFlight.size).toBe(0);
  });
});
