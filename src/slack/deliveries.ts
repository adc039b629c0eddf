/**
 * Exactly-once handling of Slack deliveries. Slack retries a request it did not
 * see acknowledged in time, users double-click, and several replicas may share
 * the work: the first to claim a delivery's key handles it, the others skip it.
 */
import type { SqlPort } from '../db/database';

/**
 * Claims `key` (a trigger_id, event_id or action key). Returns true for the
 * first claimant only, across processes.
 */
export async function claimDelivery(options: { sql: SqlPort; key: string; now: Date }): Promise<boolean> {
  const rows = await options.sql.query<{ key: string }>(
    `INSERT INTO handled_deliveries (key, "receivedAt") VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [options.key, options.now],
  );
  return rows.length === 1;
}

/** Forgets deliveries older than `before` (Slack stops retrying after minutes). */
export async function pruneDeliveries(options: { sql: SqlPort; before: Date }): Promise<number> {
  const rows = await options.sql.query<{ key: string }>(`DELETE FROM handled_deliveries WHERE "receivedAt" < $1 RETURNING key`, [
    options.before,
  ]);
  return rows.length;
}
