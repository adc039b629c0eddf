/**
 * Issue 16, on the public repository: a tag of one's own (temporary stage deploys), the paths a range changes
 * (services touched, assets changed), and a branch built from patches (the uplift of a security fix, whose
 * commits the public clone never holds). Mixed into `GitRepository` by repositories.ts; every push goes through
 * its `pushRefs` (so through the private repository's guard). Plus the pure rules of stage tags.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseReleaseTag } from '../train/versions';
import { GitError } from './errors';
import { lines } from './history';
import { GitCommandError } from './runner';
import type { Logger } from '../logger';
import type { ExtraOperations } from './extension-types';
import type { GitRepository } from './types';

/** What repositories.ts hands over (its internals for one repository). */
export interface RepositoryInternals {
  run: <T>(work: () => Promise<T>) => Promise<T>;
  fetch: () => Promise<void>;
  inCache: (args: string[], options?: { network?: boolean; input?: string }) => Promise<string>;
  revParse: (ref: string) => Promise<string | null>;
  withWorktree: <T>(base: string, paths: string[], work: (inTree: (args: string[]) => Promise<string>) => Promise<T>) => Promise<T>;
  pushRefs: (input: { refspecs: string[]; dryRun?: boolean }) => Promise<Array<{ ref: string; ok: boolean; summary: string }>>;
  remoteRefs: (pattern: string) => Promise<Map<string, string>>;
  logger: Logger;
}

const REF_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

/** Whether `name` is a usable git ref component list (no `..`, no `.lock`, no `//`, no trailing `.` or `/`). */
function isRefName(name: string): boolean {
  return REF_NAME.test(name) && !name.includes('..') && !name.includes('//') && !/(\.lock|\.|\/)$/.test(name) && !name.includes('/.');
}

export function extraOperations(internals: RepositoryInternals): ExtraOperations {
  const { run, fetch, inCache, revParse, withWorktree, pushRefs, remoteRefs, logger } = internals;
  return {
    pushTag: ({ tag, commit, message, dryRun }) =>
      run(async () => {
        if (!isRefName(tag)) throw new GitError('git-failed', `\`${tag.slice(0, 100)}\` is not a tag name git accepts.`);
        await fetch();
        const sha = SHA.test(commit) ? await revParse(commit) : null;
        if (!sha) throw new GitError('unknown-commit', `The repository has no commit \`${commit.slice(0, 40)}\`.`, { commits: [commit] });
        const existing = await remoteRefs(`refs/tags/${tag}`);
        if (existing.size > 0) {
          throw new GitError('tag-appeared', `The tag ${tag} already exists on the remote; I pushed nothing. Choose another name.`);
        }
        if (dryRun) {
          await pushRefs({ refspecs: [`${sha}:refs/tags/${tag}`], dryRun: true });
          return { tag, commit: sha };
        }
        if ((await revParse(`refs/tags/${tag}`)) !== null) await inCache(['tag', '--delete', tag]);
        await inCache(['tag', '--annotate', '--message', message, tag, sha]);
        const [outcome] = await pushRefs({ refspecs: [`refs/tags/${tag}:refs/tags/${tag}`] }).catch(async (error: unknown) => {
          await inCache(['tag', '--delete', tag]);
          throw error;
        });
        if (outcome && !outcome.ok) {
          await inCache(['tag', '--delete', tag]);
          throw new GitError('tag-appeared', `The tag ${tag} appeared on the remote meanwhile; I pushed nothing. Choose another name.`);
        }
        logger.info({ tag, commit: sha }, 'pushed a tag');
        return { tag, commit: sha };
      }),

    listTags: () =>
      run(async () => {
        await fetch();
        return lines(await inCache(['tag', '--list']));
      }),

    changedPaths: ({ from, to }) =>
      run(async () => {
        await fetch();
        // Trees are in the partial clone: `--name-only` on two trees needs no blob.
        const output = await inCache(['diff', '--no-renames', '--name-only', from, to]);
        return lines(output).sort();
      }),

    applyPatches: ({ base, patches, paths, branch, dryRun }) =>
      run(async () => {
        if (!isRefName(branch)) throw new GitError('git-failed', `\`${branch.slice(0, 100)}\` is not a branch name git accepts.`);
        await fetch();
        const baseSha = await revParse(`refs/remotes/origin/${base}`);
        if (!baseSha) throw new GitError('git-failed', `The remote has no branch ${base}.`);
        if ((await revParse(`refs/remotes/origin/${branch}`)) !== null) {
          throw new GitError('tag-appeared', `The branch ${branch} already exists on the remote; I pushed nothing.`);
        }
        // A partial clone: fetch main's versions of the touched files first (git am --3way needs them, and fetches none).
        for (const file of paths) {
          await inCache(['cat-file', '-e', `${baseSha}:${file}`], { network: true }).catch((error: unknown) => {
            if (!(error instanceof GitCommandError)) throw error; // a file the patches add: nothing to fetch
          });
        }
        // The mbox goes through a file of its own (a sparse worktree holds only the files the patches touch).
        const scratch = await mkdtemp(path.join(os.tmpdir(), 'rc-am-'));
        const mbox = path.join(scratch, 'patches.mbox');
        const result = await writeFile(mbox, patches)
          .then(() =>
            withWorktree(baseSha, paths, async (inTree) => {
              try {
                await inTree(['am', '--3way', '--keep-non-patch', mbox]);
              } catch (error) {
                const unmerged = lines(await inTree(['diff', '--name-only', '--diff-filter=U']));
                await inTree(['am', '--abort']).catch((abortError: unknown) => logger.warn({ err: abortError }, 'git am --abort failed'));
                if (unmerged.length > 0) return { kind: 'conflict' as const, files: unmerged };
                // A patch that does not apply (and cannot be merged three ways): a conflict on the files it touches.
                if (error instanceof GitCommandError && /patch failed|does not apply|could not build fake ancestor/i.test(error.stderr)) {
                  return { kind: 'conflict' as const, files: [...paths].sort() };
                }
                throw error;
              }
              return { kind: 'applied' as const, head: (await inTree(['rev-parse', 'HEAD'])).trim() };
            }),
          )
          .finally(() => rm(scratch, { recursive: true, force: true }));
        if (result.kind === 'conflict') return result;
        const [outcome] = await pushRefs({ refspecs: [`${result.head}:refs/heads/${branch}`], dryRun });
        if (outcome && !outcome.ok)
          throw new GitError('tag-appeared', `The branch ${branch} appeared on the remote meanwhile; I pushed nothing.`);
        return { kind: 'pushed' as const, branch, head: result.head };
      }),
  };
}

const SHA = /^[0-9a-f]{4,40}$/i;

/** Why a stage tag name is refused (null: fine). It must contain a hyphen and can never be read as a release. */
export function stageTagProblem(name: string, tagFormat: string): string | null {
  if (!isRefName(name)) {
    return `\`${name.slice(0, 100)}\` is not a tag name git accepts: use letters, digits, \`.\`, \`_\`, \`-\` and \`/\` (e.g. \`stage-alice-20261201\`).`;
  }
  if (!name.includes('-')) {
    return `A temporary stage tag must contain a hyphen (e.g. \`stage-${name}\`), so that it is never counted as a release.`;
  }
  // Neither the whole name nor what comes before any hyphen may read as a release tag (`v1.301.2-test` would).
  const parts = name.split('-');
  for (let i = 1; i <= parts.length; i += 1) {
    const prefix = parts.slice(0, i).join('-');
    if (parseReleaseTag(prefix, tagFormat) !== null) {
      return `\`${name}\` could be mistaken for the release ${prefix} (tag format \`${tagFormat}\`). Choose a name such as \`stage-<you>-<date>\`.`;
    }
  }
  return null;
}

/** The default stage tag: `stage-<user>-<yyyymmdd-hhmm>` (UTC). */
export function defaultStageTag(user: string, now: Date): string {
  const who =
    user
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 30) || 'someone';
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `stage-${who}-${stamp}`;
}

/** The services a change touches: `packages/<name>/…` → `<name>`, sorted; other paths apart. */
export function servicesOf(paths: readonly string[]): { services: string[]; otherPaths: string[] } {
  const services = new Set<string>();
  const otherPaths: string[] = [];
  for (const file of paths) {
    const match = /^packages\/([^/]+)\//.exec(file);
    if (match?.[1]) services.add(match[1]);
    else otherPaths.push(file);
  }
  return { services: [...services].sort(), otherPaths };
}

/** Issue 16's JSON shape of `stage-deploy`, plus what the Slack side shows. */
export interface StageDeployReport {
  /** The train branch the deploy is based on (the latest one). */
  branch: string;
  train: number;
  /** The tag pushed (or that a dry run would push); null after a conflict. */
  tag: string | null;
  /** Commits picked, full SHAs, in the order given. */
  picked: string[];
  /** The first conflict (nothing pushed then), or null. */
  conflict: { commit: string; files: string[] } | null;
  /** The commit the tag points at (null after a conflict). */
  commit: string | null;
  /** Paths the picks change, sorted. */
  changedPaths: string[];
}

/**
 * A temporary stage deploy: off the latest train branch (never main), cherry-pick each commit in the order given
 * (stop at the first conflict: nothing pushed), then push the annotated tag `tag` by itself.
 * @throws GitError (`no-train-branch` when there is no train, `unknown-commit`, `tag-appeared`, `private-leak`, …)
 */
export async function runStageDeploy(input: {
  repository: Pick<GitRepository, 'listTrains' | 'pick' | 'pushTag' | 'changedPaths'>;
  commits: string[];
  tag: string;
  tagFormat: string;
  dryRun?: boolean;
}): Promise<StageDeployReport> {
  const problem = stageTagProblem(input.tag, input.tagFormat);
  if (problem) throw new GitError('git-failed', problem);
  if (input.commits.length === 0) throw new GitError('empty-plan', 'Give at least one commit to deploy to stage.');
  const trains = await input.repository.listTrains();
  const latest = trains.at(-1);
  if (!latest) throw new GitError('no-train-branch', 'The repository has no train branch yet; a stage deploy branches off the latest one.');
  const picked: string[] = [];
  let head = latest.head;
  for (const commit of input.commits) {
    const result = await input.repository.pick({
      train: latest.train,
      base: head === latest.head ? { kind: 'train' } : { kind: 'commit', sha: head },
      commit,
    });
    if (result.kind === 'conflict') {
      return {
        branch: latest.branch,
        train: latest.train,
        tag: null,
        picked,
        conflict: { commit: result.commit, files: result.files },
        commit: null,
        changedPaths: [],
      };
    }
    if (!result.empty) picked.push(result.commit);
    head = result.head;
  }
  const changedPaths = await input.repository.changedPaths({ from: latest.head, to: head });
  const pushed = await input.repository.pushTag({
    tag: input.tag,
    commit: head,
    message: `Temporary stage deploy off ${latest.branch}`,
    dryRun: input.dryRun,
  });
  return { branch: latest.branch, train: latest.train, tag: pushed.tag, picked, conflict: null, commit: pushed.commit, changedPaths };
}
