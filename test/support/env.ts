/**
 * The test suite's view of its machine: where PostgreSQL is. `TEST_DATABASE_URL`
 * or `DATABASE_URL` when set, otherwise the local server on 127.0.0.1:5432.
 */
export const testDatabaseUrl: string =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** True inside a Jest worker (Jest sets JEST_WORKER_ID, in-band too); false in the bench. */
export const underJest: boolean = process.env.JEST_WORKER_ID !== undefined;
