import { createBoltLogger } from '../../src/slack/bolt-logger';
import { captureLogs } from '../support/logs';

function capture(level: string) {
  const { lines, logger } = captureLogs({ level });
  return { lines, bolt: createBoltLogger(logger) };
}

/** A value that counts how often it is turned into text. */
function counted() {
  const seen = { times: 0 };
  const toJSON = () => {
    seen.times += 1;
    return { channel: 'C0TEAM' };
  };
  return { seen, value: { toJSON } };
}

describe("Bolt's and the Web API client's logs go to pino", () => {
  test('debug lines below the level are dropped without being formatted', () => {
    const { lines, bolt } = capture('info');
    const { seen, value } = counted();
    bolt.debug('http request', value);
    expect(seen.times).toBe(0);
    expect(lines).toEqual([]);
  });

  test('at debug level they are formatted and written, in the bolt module', () => {
    const { lines, bolt } = capture('debug');
    const { seen, value } = counted();
    bolt.debug('http request', value);
    expect(seen.times).toBe(1);
    const entry = JSON.parse(lines[0] ?? '{}') as { msg?: string; module?: string };
    expect(entry).toMatchObject({ msg: 'http request {"channel":"C0TEAM"}', module: 'bolt' });
  });

  test('errors keep their error object', () => {
    const { lines, bolt } = capture('info');
    bolt.error('listener failed', new Error('boom'));
    const entry = JSON.parse(lines[0] ?? '{}') as { msg?: string; err?: { message?: string } };
    expect(entry.msg).toBe('listener failed boom');
    expect(entry.err?.message).toBe('boom');
  });
});
