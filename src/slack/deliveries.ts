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

/**
 * Claims a GitHub webhook delivery: by its id (`X-GitHub-Delivery`, GitHub's redeliveries keep it) and by the
 * SHA-256 of its signed body. The id is not signed, so a captured delivery sent again under a new id would pass
 * the signature check: its body's claim refuses it, as long as claims are kept (a day, pruneDeliveries). True for
 * the first claimant of both only, across processes.
 */
export async function claimWebhookDelivery(options: { sql: SqlPort; deliveryId: string; bodySha256: string; now: Date }): Promise<boolean> {
  const keys = [`github-body:${options.bodySha256}`, ...(options.deliveryId ? [`github:${options.deliveryId}`] : [])];
  const rows = await options.sql.query<{ key: string }>(
    `INSERT INTO handled_deliveries (key, "receivedAt") SELECT unnest($1::text[]), $2 ON CONFLICT (key) DO NOTHING RETURNING key`,
    [keys, options.now],
  );
  return rows.length === keys.length;
}

/** Forgets deliveries older than `before` (Slack stops retrying after minutes). */
export async function pruneDeliveries(options: { sql: SqlPort; before: Date }): Promise<number> {
  const rows = await options.sql.query<{ key: string }>(`DELETE FROM handled_deliveries WHERE "receivedAt" < $1 RETURNING key`, [
    options.before,
  ]);
  return rows.length;
}
