/**
 * Moved to audit-store.ts (it holds a query, so it is a store). Kept until the
 * features still importing from here (tagging, kickoff, reminders' sweep,
 * check-in and cutoff message, patches' delivery and jobs) import audit-store.ts.
 */
export { recordAudit } from './audit-store';
