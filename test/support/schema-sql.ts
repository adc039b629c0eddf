/**
 * Plain SQL on a test's schema, for tests that look at what a bot process left in the database (the process
 * tests: kill points, replays), and polling until something happens.
 */
import { Client } from 'pg';
import { urlForSchema } from './database';

/** A plain connection to `schema` (its search path set); the caller ends it. */
export async function connectToSchema(schema: string): Promise<Client> {
  const client = new Client({ connectionString: urlForSchema(schema) });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return client;
}

/** Runs `query` on a fresh connection to `schema` and returns its rows. */
export async function rowsIn<T extends Record<string, unknown>>(schema: string, query: string, values: unknown[] = []): Promise<T[]> {
  const client = await connectToSchema(schema);
  try {
    return (await client.query<T>(query, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `probe` every 100 ms until it gives something other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
