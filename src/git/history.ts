/**
 * Reading history in a cache: cherry-pick trailers, patch-ids, forward ports
 * and where a commit is. Read only; the caller holds the repository's lock.
 */
import { listReleaseTags } from '../train/versions';
import { GitCommandError } from './runner';
import type { ForwardPort, MatchedBy, TrainBranch, WhereIs } from './types';

/** Runs git in the cache (`network`: it may fetch, e.g. blobs of a partial clone). */
type InCache = (args: string[], options?: { network?: boolean; input?: string }) => Promise<string>;

const TRAILER = /\(cherry picked from commit ([0-9a-f]{40})\)/g;
const CHUNK = 200;

/** The non-empty lines of git's output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** For each commit, the SHAs its `(cherry picked from commit X)` trailers name (in order). */
export async function trailersOf(git: InCache, shas: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const chunk of chunks(shas)) {
    const output = await git(['log', '--no-walk=unsorted', '--format=%H%x00%B%x1e', ...chunk]);
    for (const record of output.split('\x1e')) {
      const [sha = '', body = ''] = record.replace(/^\n+/, '').split('\x00');
      if (sha.length !== 40) continue;
      const picked = [...body.matchAll(TRAILER)].map((match) => match[1] ?? '');
      if (picked.length > 0) found.set(sha, picked);
    }
  }
  return found;
}

/** `git patch-id --stable` of each commit (commits without a diff, e.g. empty ones, are absent). */
export async function patchIds(git: InCache, shas: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const chunk of chunks(shas)) {
    // A partial clone fetches the blobs these diffs need (in one batch per commit).
    const diffs = await git(
      [
        '-c',
        'diff.noprefix=false',
        'log',
        '-p',
        '--no-walk=unsorted',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--format=commit %H',
        ...chunk,
      ],
      { network: true },
    );
    if (diffs.trim() === '') continue;
    const output = await git(['patch-id', '--stable'], { input: diffs });
    for (const line of lines(output)) {
      const [id = '', sha = ''] = line.split(' ');
      if (id && sha) ids.set(sha, id);
    }
  }
  return ids;
}

/** The commit `ref` names, or null when it names none. */
export async function revParse(git: InCache, ref: string): Promise<string | null> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError) return null;
    throw error;
  }
}

/** Whether `ancestor` is reachable from `descendant` (`git merge-base --is-ancestor`). */
export async function isAncestor(git: InCache, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await git(['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) return false;
    throw error;
  }
}

async function branchPoint(git: InCache, main: string, head: string): Promise<string | null> {
  try {
    return (await git(['merge-base', main, head])).trim() || null;
  } catch (error) {
    if (error instanceof GitCommandError && error.exitCode === 1) return null;
    throw error;
  }
}

async function subjects(git: InCache, shas: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const chunk of chunks(shas)) {
    for (const line of lines(await git(['log', '--no-walk=unsorted', '--format=%H %s', ...chunk]))) {
      found.set(line.slice(0, 40), line.slice(41));
    }
  }
  return found;
}

/** The forward-port report (issue 14 items 5 and 7). */
export async function findForwardPorts(input: {
  git: InCache;
  trains: TrainBranch[];
  main: string;
  train?: number;
  recent?: number;
}): Promise<ForwardPort[]> {
  const { git, trains, main } = input;
  const pairs: Array<[TrainBranch, TrainBranch]> = [];
  if (input.train !== undefined) {
    const lower = trains.find((t) => t.train === input.train);
    if (lower) for (const upper of trains) if (upper.train > lower.train) pairs.push([lower, upper]);
  } else {
    const recent = trains.slice(-Math.max(2, input.recent ?? 3));
    for (let i = 0; i < recent.length; i += 1) {
      for (let j = i + 1; j < recent.length; j += 1) {
        const lower = recent[i];
        const upper = recent[j];
        if (lower && upper) pairs.push([lower, upper]);
      }
    }
  }
  const report: ForwardPort[] = [];
  for (const [lower, upper] of pairs) {
    const lowerPoint = await branchPoint(git, main, lower.head);
    if (!lowerPoint) continue;
    const fixes = lines(await git(['rev-list', '--reverse', '--no-merges', `${lowerPoint}..${lower.head}`]));
    if (fixes.length === 0) continue;
    const upperOnly = lines(await git(['rev-list', '--no-merges', `${lowerPoint}..${upper.head}`]));
    const fixSubjects = await subjects(git, fixes);
    const fixTrailers = await trailersOf(git, fixes);
    const upperTrailers = await trailersOf(git, upperOnly);
    let upperSubjects: Set<string> | undefined;
    let upperPatchIds: Set<string> | undefined;
    for (const sha of fixes) {
      const subject = fixSubjects.get(sha) ?? '';
      const picked = fixTrailers.get(sha) ?? [];
      let matchedBy: MatchedBy | null = null;
      if (await isAncestor(git, sha, upper.head)) matchedBy = 'same-commit';
      else if (await trailerMatch(git, sha, picked, upper.head, upperTrailers)) matchedBy = 'trailer';
      else {
        upperPatchIds ??= new Set((await patchIds(git, upperOnly)).values());
        const [own] = (await patchIds(git, [sha])).values();
        if (own !== undefined && upperPatchIds.has(own)) matchedBy = 'patch-id';
        else {
          upperSubjects ??= new Set((await subjects(git, upperOnly)).values());
          if (upperSubjects.has(subject)) matchedBy = 'subject';
        }
      }
      report.push({
        lower: lower.train,
        upper: upper.train,
        sha,
        subject,
        onUpper: matchedBy !== null && matchedBy !== 'subject',
        matchedBy,
      });
    }
  }
  return report;
}

async function trailerMatch(
  git: InCache,
  sha: string,
  picked: string[],
  upperHead: string,
  upperTrailers: Map<string, string[]>,
): Promise<boolean> {
  for (const origin of picked) {
    try {
      if (await isAncestor(git, origin, upperHead)) return true;
    } catch (error) {
      // The trailer may name a commit that this repository does not have (picked from elsewhere).
      if (!(error instanceof GitCommandError)) throw error;
    }
  }
  const names = new Set([sha, ...picked]);
  for (const named of upperTrailers.values()) if (named.some((n) => names.has(n))) return true;
  return false;
}

/** Which trains and release tags contain `sha`, directly or as a cherry-pick (issue 14 item 6). */
export async function findWhere(input: {
  git: InCache;
  trains: TrainBranch[];
  main: string;
  sha: string;
  tagFormat: string;
}): Promise<WhereIs> {
  const { git, trains, main, sha, tagFormat } = input;
  const [subject = ''] = (await subjects(git, [sha])).values();
  const committedAt = Number((await git(['log', '-1', '--format=%ct', sha])).trim());
  const tagsContaining = async (commit: string, train: number): Promise<string[]> =>
    listReleaseTags(lines(await git(['tag', '--list', '--contains', commit])), tagFormat)
      .filter((tag) => tag.train === train)
      .map((tag) => tag.name);
  const heads = new Map<string, number>();
  for (const line of lines(await git(['for-each-ref', '--format=%(objectname) %(committerdate:unix)', 'refs/remotes/']))) {
    const [head = '', date = '0'] = line.split(' ');
    heads.set(head, Number(date));
  }
  const found: WhereIs['trains'] = [];
  for (const train of trains) {
    if (await isAncestor(git, sha, train.head)) {
      found.push({
        train: train.train,
        branch: train.branch,
        matchedBy: 'same-commit',
        commit: sha,
        tags: await tagsContaining(sha, train.train),
      });
      continue;
    }
    // A cherry-pick of `sha` is committed after it: a train whose tip is older cannot hold one.
    if ((heads.get(train.head) ?? Number.POSITIVE_INFINITY) < committedAt) continue;
    const point = await branchPoint(git, main, train.head);
    if (!point) continue;
    const trainOnly = lines(await git(['rev-list', '--no-merges', `${point}..${train.head}`]));
    const trailers = await trailersOf(git, trainOnly);
    let match: { commit: string; matchedBy: 'trailer' | 'patch-id' } | null = null;
    const byTrailer = trainOnly.find((c) => trailers.get(c)?.includes(sha));
    if (byTrailer) match = { commit: byTrailer, matchedBy: 'trailer' };
    else if (trainOnly.length > 0) {
      const [own] = (await patchIds(git, [sha])).values();
      if (own !== undefined) {
        const ids = await patchIds(git, trainOnly);
        const byPatch = [...ids].find(([, id]) => id === own)?.[0];
        if (byPatch) match = { commit: byPatch, matchedBy: 'patch-id' };
      }
    }
    if (match) found.push({ train: train.train, branch: train.branch, ...match, tags: await tagsContaining(match.commit, train.train) });
  }
  return { sha, subject, onMain: await isAncestor(git, sha, main), trains: found };
}
