/**
 * Locks on one repository across replicas: a PostgreSQL advisory lock in the
 * namespace `gitRepository` (src/db/locks.ts), keyed by a hash of the remote.
 */
import { createHash } from 'node:crypto';
import type { SqlPort } from '../db/database';
import { withAdvisoryLock } from '../db/locks';
import type { RepositoryLock } from './types';

/** The int4 id of a repository's lock: the first 4 bytes of the SHA-256 of its key, signed. */
export function repositoryLockId(repositoryKey: string): number {
  return createHash('sha256').update(repositoryKey).digest().readInt32BE(0);
}

/** A `RepositoryLock` held in PostgreSQL (waiting for it), for as long as the work runs. */
export function advisoryRepositoryLock(sql: SqlPort): RepositoryLock {
  return (repositoryKey, work) => withAdvisoryLock(sql, { namespace: 'gitRepository', id: repositoryLockId(repositoryKey) }, () => work());
}

/** No cross-process lock (the CLI, without a database): only the in-process mutex applies. */
export const noRepositoryLock: RepositoryLock = (_repositoryKey, work) => work();
