/** /readyz's bound: one check in flight, shared by the requests meanwhile; "not answering" when it takes too long. */
import { boundedReadiness, type Readiness } from '../../src/server/readiness';

describe('boundedReadiness', () => {
  test('a hanging check: every caller is told "not answering", and only one check runs', async () => {
    let calls = 0;
    let finish: (readiness: Readiness) => void = () => undefined;
    const readiness = boundedReadiness({
      check: () => {
        calls += 1;
        return new Promise<Readiness>((resolve) => (finish = resolve));
      },
      timeoutMs: 20,
      notAnswering: 'database not answering',
    });
    const answers = await Promise.all([readiness(), readiness(), readiness()]);
    expect(answers).toEqual(Array(3).fill({ ready: false, reason: 'database not answering' }));
    expect(await readiness()).toEqual({ ready: false, reason: 'database not answering' });
    expect(calls).toBe(1);
    finish({ ready: true });
    await new Promise((resolve) => setImmediate(resolve));
    // The hung check settled: the next request starts a new one.
    expect(await readiness()).toEqual({ ready: false, reason: 'database not answering' });
    expect(calls).toBe(2);
  });

  test('a check that answers in time is what every caller meanwhile gets', async () => {
    let calls = 0;
    const readiness = boundedReadiness({
      check: async () => {
        calls += 1;
        return { ready: false, reason: 'database not migrated' };
      },
      timeoutMs: 5000,
      notAnswering: 'x',
    });
    expect(await Promise.all([readiness(), readiness()])).toEqual(Array(2).fill({ ready: false, reason: 'database not migrated' }));
    expect(calls).toBe(1);
  });
});
