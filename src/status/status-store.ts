/**
 * The dashboard's change fingerprint: one cheap query whose answer changes
 * whenever a table the dashboard reads changes (a row added, removed or
 * updated). The tables are not listed here: each owning store exports its
 * part (its tables, and the columns whose latest value moves whenever one of
 * their rows changes), and this composes the parts into the one query.
 */
import type { SqlSession } from '../db/database';
import { NOTES_FINGERPRINT } from '../notes/notes-store';
import { PATCH_FINGERPRINT } from '../patches/patch-store';
import { QA_FINGERPRINT } from '../qa/qa-store';
import { ANSWERS_FINGERPRINT } from '../reminders/answer-store';
import { ROSTER_FINGERPRINT } from '../rotation/roster-store';
import { TAGGING_FINGERPRINT } from '../tagging/release-store';
import { STAGE_DEPLOY_FINGERPRINT } from '../stage-deploy/stage-deploy-store';

/** A store's table in the fingerprint: its row count, and the latest value of each of `changedAt`. */
export interface FingerprintPart {
  table: string;
  changedAt: readonly string[];
}

/** The tables the dashboard reads, from the stores that own them. */
export const DASHBOARD_TABLES: readonly FingerprintPart[] = [
  ...ROSTER_FINGERPRINT,
  ...NOTES_FINGERPRINT,
  ...ANSWERS_FINGERPRINT,
  ...PATCH_FINGERPRINT,
  ...TAGGING_FINGERPRINT,
  ...QA_FINGERPRINT,
  ...STAGE_DEPLOY_FINGERPRINT,
];

/** One query for all the parts: `count/latest[/latest…]` per table, joined by `|`. */
export function composeFingerprintQuery(parts: readonly FingerprintPart[]): string {
  const tables = parts.map((part) => {
    const latest = part.changedAt.map((column) => ` || '/' || coalesce(max("${column}")::text, '')`).join('');
    return `  (SELECT count(*)${latest} FROM ${part.table})`;
  });
  return `SELECT concat_ws('|',\n${tables.join(',\n')}\n) AS fingerprint`;
}

const DASHBOARD_FINGERPRINT = composeFingerprintQuery(DASHBOARD_TABLES);

/** The dashboard's fingerprint now: equal to an earlier one while none of its tables changed. */
export async function readDashboardFingerprint(options: { sql: SqlSession }): Promise<string> {
  const [row] = await options.sql.query<{ fingerprint: string }>(DASHBOARD_FINGERPRINT);
  return row?.fingerprint ?? '';
}
