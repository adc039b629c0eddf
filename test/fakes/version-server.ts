/**
 * Fake `__version__` endpoints for stage and production on loopback: each
 * answers `{"version": …}` like the real ones, or fails on demand.
 */
import { createServer, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from '../support/http';

export interface FakeEnvironments {
  stageUrl: string;
  productionUrl: string;
  /** Sets what an environment reports; null makes it answer 503. */
  set(environment: 'stage' | 'production', version: string | null): void;
  /** How many times each environment was asked. */
  readonly requests: Record<'stage' | 'production', number>;
  close(): Promise<void>;
}

export async function startFakeEnvironments(
  initial: { stage?: string | null; production?: string | null } = {},
): Promise<FakeEnvironments> {
  const versions: Record<'stage' | 'production', string | null> = { stage: initial.stage ?? null, production: initial.production ?? null };
  const requests = { stage: 0, production: 0 };
  const server: Server = createServer((req, res) => {
    const environment = req.url?.startsWith('/stage/') ? 'stage' : req.url?.startsWith('/production/') ? 'production' : null;
    if (!environment || !req.url?.endsWith('/__version__')) {
      res.writeHead(404).end();
      return;
    }
    requests[environment] += 1;
    const version = versions[environment];
    if (version === null) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ version, commit: 'f'.repeat(40), source: 'https://github.com/mozilla/fxa' }));
  });
  const url = await listenOnLoopback(server);
  return {
    stageUrl: `${url}/stage/__version__`,
    productionUrl: `${url}/production/__version__`,
    set(environment, version) {
      versions[environment] = version;
    },
    requests,
    close: () => closeServer(server),
  };
}
