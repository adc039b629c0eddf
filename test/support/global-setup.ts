// Runs once before the whole suite. Database-backed tests create their own
// schema per test file (see test/support/database.ts); nothing to do here yet
// beyond failing early and clearly when PostgreSQL is not reachable.
export default async function globalSetup(): Promise<void> {}
