import { createHttpServer, SERVER_TIMEOUTS } from '../../src/server/http-server';
import { silentLogger } from '../support/database';

describe("the HTTP server's timeouts", () => {
  test('a client slow to send its headers or its body is cut off after 10 s, not Node’s 60 s and 5 minutes', () => {
    const server = createHttpServer({ logger: silentLogger, isReady: async () => ({ ready: true }), routes: {} });
    expect({
      headersTimeout: server.headersTimeout,
      requestTimeout: server.requestTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
    }).toEqual({
      headersTimeout: SERVER_TIMEOUTS.headersTimeout,
      requestTimeout: SERVER_TIMEOUTS.requestTimeout,
      keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeout,
    });
    expect(SERVER_TIMEOUTS.requestTimeout).toBeLessThanOrEqual(10_000);
  });
});
