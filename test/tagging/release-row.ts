/** A tag release row for the pure tagging tests (no database): tagged at 18:30 on 18 November 2026, unless overridden. */
import type { TagRelease } from '../../src/tagging/release-store';

export function releaseRow(overrides: Partial<TagRelease> = {}): TagRelease {
  const at = new Date('2026-11-18T18:30:00Z');
  return {
    id: 1, train: 303, patch: 0, tag: 'v1.303.0', kind: 'train', state: 'tagged', version: 0, attempt: 1, requestedBy: 'U1', requestedAt: at,
    sourceSha: null, dispatchedAt: at, dispatchUncertain: false, runId: null, runUrl: null, runStatus: null, runConclusion: null, tagSha: 'a'.repeat(40),
    ciStatus: null, ciConclusion: null, ciUrl: null, ciFailures: [], flakyBy: null, flakyAt: null, issueBy: null, issueNumber: null, issueUrl: null,
    imageDispatchedAt: null, imageRunId: null, imageRunUrl: null, imageConclusion: null, stageVersion: null, stateSince: at, nextCheckAt: null, polls: 0,
    overdueReportedAt: null, lastError: null, createdAt: at, updatedAt: at,
    ...overrides,
  };
}
