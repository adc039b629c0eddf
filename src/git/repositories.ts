/**
 * The implementation of `GitRepositories`: one bare partial clone per remote,
 * a fresh worktree per pick, a mutex and a `RepositoryLock` around every
 * operation, and every push through `pushRefs`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scrubSecrets } from '../logger';
import { DEFAULT_BRANCH_FORMAT, DEFAULT_TAG_FORMAT, formatTag, nextPatchNumber, parseTrainBranch } from '../train/versions';
import { GitError } from './errors';
import { noRepositoryLock } from './lock';
import { findForwardPorts, findWhere, isAncestor as isAncestorIn, lines, patchIds, revParse as revParseIn, trailersOf } from './history';
import { commandOf, createGitRunner, GitCommandError, type GitRun } from './runner';
import { extraOperations } from './stage-tag';
import type {
  ClassifiedCommit,
  DeleteWorkBranchResult,
  DotReleasePlan,
  GitRepositories,
  GitRepositoriesOptions,
  GitRepository,
  PickResult,
  PushTrainResult,
  TagResult,
  TrainBranch,
} from './types';

const REMOTE = 'origin';
const SHA_INPUT = /^[0-9a-f]{4,40}$/i;

/** A remote as given, checked: a local path (made absolute) or a URL without credentials. */
export function normaliseRemote(remote: string): string {
  const trimmed = remote.trim();
  if (trimmed === '') throw new GitError('git-failed', 'No repository given: pass a local path or a URL.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    if (url.username || url.password) {
      throw new GitError(
        'git-failed',
        'The repository URL holds a credential; give it without one (the token is handed to git separately, never in a URL).',
      );
    }
    return trimmed;
  }
  if (/^[\w.-]+@[\w.-]+:/.test(trimmed)) return trimmed; // scp-like ssh
  return path.resolve(trimmed);
}

/** The cache directory name of a remote: readable, unique, no credential possible. */
export function cacheName(remote: string): string {
  const base =
    path
      .basename(remote.replace(/\/+$/, ''))
      .replace(/\.git$/, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 40) || 'repo';
  return `${base}-${createHash('sha256').update(remote).digest('hex').slice(0, 12)}`;
}

/**
 * What pushRefs sends at all: explicit refspecs (never `+`, always to a `refs/` name), and a delete (`:refs/…`)
 * only of one of the bot's own hand-off branches (`refs/heads/dot/…`), leased on it: a delete sends nothing, so
 * it skips the push guard. Throws on anything else (a bug, never a user's input).
 */
export function checkPushRefspecs(input: { refspecs: string[]; lease?: { ref: string } }): void {
  for (const refspec of input.refspecs) {
    if (refspec.startsWith('+') || !refspec.includes(':refs/')) throw new Error(`pushRefs: refusing refspec ${refspec}`);
    if (refspec.startsWith(':') && !(refspec.startsWith(':refs/heads/dot/') && input.lease?.ref === refspec.slice(1)))
      throw new Error(`pushRefs: refusing delete refspec ${refspec} (only a hand-off branch refs/heads/dot/…, leased)`);
  }
}

export function createGitRepositoriesImpl(options: GitRepositoriesOptions): GitRepositories {
  const gitRoot = path.resolve(options.dataDir, 'git');
  const git = createGitRunner({
    logger: options.logger,
    gitBinary: options.gitBinary ?? 'git',
    env: options.env ?? {},
    credentials: options.credentials,
    gitRoot,
  });
  const lock = options.lock ?? noRepositoryLock;
  const mutexes = new Map<string, Promise<unknown>>();
  const opened = new Map<string, GitRepository>();

  const exclusive = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = mutexes.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => lock(key, work),
      () => lock(key, work),
    );
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    mutexes.set(key, settled);
    void settled.then(() => {
      if (mutexes.get(key) === settled) mutexes.delete(key);
    });
    return run;
  };

  return {
    open(remote) {
      const normalised = normaliseRemote(remote);
      let repository = opened.get(normalised);
      if (!repository) {
        repository = openRepository({ ...options, remote: normalised, gitRoot, git, exclusive });
        opened.set(normalised, repository);
      }
      return repository;
    },
  };
}

interface RepositoryContext extends GitRepositoriesOptions {
  remote: string;
  gitRoot: string;
  git: GitRun;
  exclusive: <T>(key: string, work: () => Promise<T>) => Promise<T>;
}

function openRepository(context: RepositoryContext): GitRepository {
  const { remote, git, logger } = context;
  const cache = path.join(context.gitRoot, cacheName(remote));
  const branchFormat = context.formats?.branchFormat ?? DEFAULT_BRANCH_FORMAT;
  const tagFormat = context.formats?.tagFormat ?? DEFAULT_TAG_FORMAT;
  const mainBranch = context.mainBranch ?? 'main';
  const inCache = (args: string[], options: { network?: boolean; input?: string } = {}) => git(args, { cwd: cache, ...options });

  /** Creates the cache if needed and fetches branches (no blobs) and tags. */
  async function fetch(): Promise<void> {
    if (!existsSync(path.join(cache, 'HEAD'))) {
      await mkdir(cache, { recursive: true });
      await inCache(['init', '--bare', '--quiet']);
      await inCache(['config', 'core.repositoryformatversion', '1']);
      await inCache(['config', 'extensions.partialClone', REMOTE]);
      await inCache(['remote', 'add', REMOTE, remote]);
      await inCache(['config', `remote.${REMOTE}.promisor`, 'true']);
      await inCache(['config', `remote.${REMOTE}.partialclonefilter`, 'blob:none']);
      await inCache(['config', `remote.${REMOTE}.fetch`, `+refs/heads/*:refs/remotes/${REMOTE}/*`]);
      await inCache(['config', 'gc.auto', '0']);
      logger.info({ cache: path.basename(cache) }, 'created a git cache (partial clone)');
    }
    await inCache(
      [
        // A local remote serves a partial clone only when its upload-pack allows filters.
        '-c',
        'uploadpack.allowFilter=true',
        'fetch',
        '--quiet',
        '--prune',
        '--no-tags',
        '--filter=blob:none',
        REMOTE,
        `+refs/heads/*:refs/remotes/${REMOTE}/*`,
        '+refs/tags/*:refs/tags/*',
      ],
      { network: true },
    );
  }

  const revParse = (ref: string) => revParseIn(inCache, ref);

  const isAncestor = (ancestor: string, descendant: string) => isAncestorIn(inCache, ancestor, descendant);

  async function trainBranches(): Promise<TrainBranch[]> {
    const refs = lines(await inCache(['for-each-ref', '--format=%(refname:lstrip=3) %(objectname)', `refs/remotes/${REMOTE}/`]));
    const trains: TrainBranch[] = [];
    for (const line of refs) {
      const [branch = '', head = ''] = line.split(' ');
      const train = trainOfBranch(branch, branchFormat);
      if (train !== null) trains.push({ train, branch, head });
    }
    // `train-301` wins over a historical `train-0301` if both existed.
    trains.sort((a, b) => a.train - b.train || a.branch.length - b.branch.length);
    return trains.filter((t, i) => i === 0 || trains[i - 1]?.train !== t.train);
  }

  async function trainBranch(train: number): Promise<TrainBranch> {
    const found = (await trainBranches()).find((t) => t.train === train);
    if (!found) {
      throw new GitError(
        'no-train-branch',
        `Train ${train} has no branch ${branchName(branchFormat, train)} on the remote, so there is nothing to patch. Check the train number (or cut the train first).`,
      );
    }
    return found;
  }

  async function mainHead(): Promise<string> {
    const head = await revParse(`refs/remotes/${REMOTE}/${mainBranch}`);
    if (!head) throw new GitError('git-failed', `The remote has no branch ${mainBranch}; dot releases take commits from it.`);
    return head;
  }

  async function resolveCommits(commits: string[]): Promise<string[]> {
    const unknown: string[] = [];
    const resolved: string[] = [];
    for (const input of commits) {
      const sha = SHA_INPUT.test(input) ? await revParse(input) : null;
      if (sha === null) unknown.push(input);
      else resolved.push(sha);
    }
    if (unknown.length > 0) {
      throw new GitError(
        'unknown-commit',
        `The repository has no commit ${unknown.map((c) => `\`${c.slice(0, 40)}\``).join(', ')}. Give the SHA of a commit on ${mainBranch} (at least 4 hex digits; the full 40 are safest).`,
        { commits: unknown },
      );
    }
    return resolved;
  }

  async function subjectOf(sha: string): Promise<string> {
    return (await inCache(['log', '-1', '--format=%s', sha])).trim();
  }

  /**
   * A fresh worktree on `base`, removed afterwards whatever happens. Sparse: only `paths` are checked out (the
   * files the pick touches), so a partial clone fetches their blobs and no others; git runs in it with
   * `core.sparseCheckout` on (per command: the cache's shared config stays untouched).
   */
  async function withWorktree<T>(
    base: string,
    paths: string[],
    work: (inTree: (args: string[]) => Promise<string>) => Promise<T>,
  ): Promise<T> {
    const dir = path.join(context.gitRoot, 'worktrees', `${path.basename(cache)}-${randomUUID().slice(0, 8)}`);
    const inTree = (args: string[]) => git(['-c', 'core.sparseCheckout=true', ...args], { cwd: dir, network: true });
    try {
      await mkdir(path.dirname(dir), { recursive: true });
      await inCache(['worktree', 'add', '--quiet', '--no-checkout', '--detach', dir, base]);
      const patterns = (await inTree(['rev-parse', '--git-path', 'info/sparse-checkout'])).trim();
      const file = path.isAbsolute(patterns) ? patterns : path.join(dir, patterns);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${paths.map(sparsePattern).join('\n')}\n`);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      await inCache(['worktree', 'prune']);
      throw toFsGitError(error);
    }
    try {
      await inTree(['read-tree', '-mu', 'HEAD']);
      return await work(inTree);
    } finally {
      await inCache(['worktree', 'remove', '--force', dir]).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not remove a git worktree; removing its directory');
      });
      await rm(dir, { recursive: true, force: true });
      await inCache(['worktree', 'prune']);
    }
  }

  /**
   * The ONE place that pushes. Explicit refspecs only (never `--tags`, never `+`); `lease` only for the bot's own
   * hand-off branches. Returns each ref's outcome. A push guard (issue 16) goes here.
   */
  async function pushRefs(input: {
    refspecs: string[];
    lease?: { ref: string; expect: string | null };
    dryRun?: boolean;
  }): Promise<Array<{ ref: string; ok: boolean; summary: string }>> {
    checkPushRefspecs(input);
    // A delete refspec (`:refs/…`) sends nothing: only what a push sends is checked.
    const sending = input.refspecs.filter((refspec) => !refspec.startsWith(':'));
    if (sending.length > 0) await context.guard?.checkPush({ remote, refspecs: sending, git: inCache });
    const args = ['push', REMOTE];
    if (input.dryRun) args.splice(1, 0, '--dry-run');
    if (input.lease) args.splice(1, 0, `--force-with-lease=${input.lease.ref}:${input.lease.expect ?? ''}`);
    args.push(...input.refspecs);
    const refsOf = () => input.refspecs.map((refspec) => refspec.slice(refspec.indexOf(':') + 1));
    try {
      await inCache(args, { network: true });
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      const stderr = error.stderr;
      if (/\[rejected\].*\((non-fast-forward|fetch first|stale info)\)/.test(stderr))
        return refsOf().map((ref) => ({ ref, ok: false, summary: 'moved' }));
      if (/\[rejected\].*\(already exists\)/.test(stderr)) return refsOf().map((ref) => ({ ref, ok: false, summary: 'exists' }));
      if (/\[remote rejected\]|protected branch|declined|denied|permission/i.test(stderr)) {
        const reason = /\[remote rejected\][^(]*\(([^)]*)\)/.exec(stderr)?.[1] ?? 'refused by the remote';
        throw new GitError(
          'push-rejected',
          `The remote refused my push (${reason}). Nothing else was pushed. Check that the branch lets release-conductor push (branch protection, permissions), then try again.`,
          { cause: error, logMessage: `git push refused: ${stderr.trim().slice(0, 1000)}` },
        );
      }
      throw error;
    }
    return refsOf().map((ref) => ({ ref, ok: true, summary: input.dryRun ? 'dry run' : 'pushed' }));
  }

  async function remoteRefs(pattern: string): Promise<Map<string, string>> {
    const refs = new Map<string, string>();
    for (const line of lines(await inCache(['ls-remote', REMOTE, pattern], { network: true }))) {
      const [sha = '', ref = ''] = line.split('\t');
      refs.set(ref, sha);
    }
    return refs;
  }

  /** Runs `work` under the repository's locks; a git failure nobody mapped becomes a `GitError` (`git-failed`). */
  const run = <T>(work: () => Promise<T>) =>
    context.exclusive(remote, work).catch((error: unknown) => {
      if (!(error instanceof GitCommandError)) throw error;
      throw new GitError(
        'git-failed',
        `git ${commandOf(error.args)} failed (${scrubSecrets(firstLine(error.stderr))}). Nothing was pushed; the details are in my logs.`,
        {
          cause: error,
          logMessage: scrubSecrets(error.message),
        },
      );
    });

  const repository: GitRepository = {
    remote,

    treeOf: (commit) => run(async () => (await inCache(['rev-parse', '--verify', `${commit}^{tree}`])).trim()),

    listTrains: () =>
      run(async () => {
        await fetch();
        return trainBranches();
      }),

    classify: ({ train, commits }) =>
      run(async (): Promise<DotReleasePlan> => {
        if (commits.length === 0) {
          throw new GitError('empty-plan', `The plan for train ${train} has no commit. Add at least one commit on ${mainBranch}.`);
        }
        await fetch();
        const branch = await trainBranch(train);
        const resolved = [...new Set(await resolveCommits(commits))];
        const main = await mainHead();
        const notOnMain: string[] = [];
        for (const sha of resolved) if (!(await isAncestor(sha, main))) notOnMain.push(sha);
        if (notOnMain.length > 0) {
          throw new GitError(
            'not-on-main',
            `${notOnMain.map((c) => `\`${c.slice(0, 12)}\``).join(', ')} ${notOnMain.length === 1 ? 'is' : 'are'} not on ${mainBranch}. A dot release takes only commits already merged to ${mainBranch}: merge the fix there first, then plan it.`,
            { commits: notOnMain },
          );
        }
        const branchPoint = (await inCache(['merge-base', main, branch.head])).trim();
        const order = new Map(
          lines(await inCache(['rev-list', '--reverse', '--topo-order', `${branchPoint}..${main}`])).map((sha, i) => [sha, i]),
        );
        const trainOnly = lines(await inCache(['rev-list', '--no-merges', `${branchPoint}..${branch.head}`]));
        const trailers = await trailersOf(inCache, trainOnly);
        let trainPatchIds: Map<string, string> | undefined;
        const classified: ClassifiedCommit[] = [];
        for (const sha of resolved) {
          const subject = await subjectOf(sha);
          if (await isAncestor(sha, branch.head)) {
            classified.push({ sha, subject, status: 'already-on-train', matchedBy: 'same-commit', trainCommit: sha });
            continue;
          }
          const byTrailer = trainOnly.find((t) => trailers.get(t)?.includes(sha));
          if (byTrailer) {
            classified.push({ sha, subject, status: 'already-on-train', matchedBy: 'trailer', trainCommit: byTrailer });
            continue;
          }
          trainPatchIds ??= await patchIds(inCache, trainOnly);
          const [own] = (await patchIds(inCache, [sha])).values();
          const byPatch = own === undefined ? undefined : [...trainPatchIds].find(([, id]) => id === own)?.[0];
          if (byPatch) classified.push({ sha, subject, status: 'already-on-train', matchedBy: 'patch-id', trainCommit: byPatch });
          else classified.push({ sha, subject, status: 'to-pick' });
        }
        classified.sort((a, b) => (order.get(a.sha) ?? -1) - (order.get(b.sha) ?? -1));
        const tags = [...lines(await inCache(['tag', '--list'])), ...((await context.guard?.countedTags()) ?? [])];
        return { train, branch: branch.branch, trainHead: branch.head, commits: classified, nextTag: nextTagOf(tags, train, tagFormat) };
      }),

    pick: ({ train, base, commit, workBranch }) =>
      run(async (): Promise<PickResult> => {
        await fetch();
        const branch = await trainBranch(train);
        const [sha = commit] = await resolveCommits([commit]);
        let baseSha: string;
        if (base.kind === 'train') baseSha = branch.head;
        else {
          const found = await revParse(base.sha);
          if (!found) {
            throw new GitError(
              'unknown-commit',
              `The commit \`${base.sha.slice(0, 12)}\` to continue from is neither in my cache nor on ${base.branch ?? 'any branch of the remote'}. Start the dot release again from ${branch.branch}.`,
              { commits: [base.sha] },
            );
          }
          baseSha = found;
        }
        // The files the commit touches (trees only: no blob fetched to know them).
        const touched = lines(
          await inCache(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', `${sha}^`, sha]).then((out) =>
            out.replaceAll('\0', '\n'),
          ),
        );
        const result = await withWorktree(baseSha, touched, async (inTree): Promise<PickResult> => {
          try {
            await inTree(['cherry-pick', '-x', sha]);
          } catch (error) {
            if (!(error instanceof GitCommandError)) throw error;
            const files = lines(await inTree(['diff', '--name-only', '--diff-filter=U']));
            if (files.length > 0) {
              await inTree(['cherry-pick', '--abort']);
              return { kind: 'conflict', commit: sha, files, base: baseSha };
            }
            if (/now empty|nothing to commit/.test(error.stderr)) {
              await inTree(['cherry-pick', '--abort']).catch(() => inTree(['reset', '--hard', baseSha]));
              return {
                kind: 'picked',
                commit: sha,
                head: baseSha,
                tree: (await inCache(['rev-parse', `${baseSha}^{tree}`])).trim(),
                empty: true,
              };
            }
            throw new GitError(
              'git-failed',
              `I could not cherry-pick \`${sha.slice(0, 12)}\` (${firstLine(error.stderr)}). Nothing was pushed.`,
              {
                cause: error,
              },
            );
          }
          const head = (await inTree(['rev-parse', 'HEAD'])).trim();
          const tree = (await inTree(['rev-parse', 'HEAD^{tree}'])).trim();
          return { kind: 'picked', commit: sha, head, tree, empty: false };
        });
        const head = result.kind === 'picked' ? result.head : result.base;
        // Keeps the picks alive in the cache between steps (and across gc).
        await inCache(['update-ref', `refs/conductor/work/${branch.branch}`, head]);
        if (workBranch) await pushWorkBranch(workBranch, head);
        return result;
      }),

    readWorkBranch: ({ train, workBranch }) =>
      run(async () => {
        await fetch();
        const branch = await trainBranch(train);
        const head = await revParse(`refs/remotes/${REMOTE}/${workBranch}`);
        if (!head) return null;
        const shas = lines(await inCache(['rev-list', '--reverse', '--no-merges', `${branch.head}..${head}`]));
        const trailers = await trailersOf(inCache, shas);
        const commits = [];
        for (const sha of shas) commits.push({ sha, subject: await subjectOf(sha), pickedFrom: trailers.get(sha)?.at(-1) ?? null });
        return { head, commits };
      }),

    deleteWorkBranch: ({ workBranch, mergedInto }) =>
      run(async (): Promise<DeleteWorkBranchResult> => {
        checkWorkBranchName(workBranch);
        // The bot deletes its own hand-off branches only.
        if (!workBranch.startsWith('dot/')) throw new Error(`deleteWorkBranch: not a hand-off branch: ${workBranch}`);
        await fetch();
        const head = await revParse(`refs/remotes/${REMOTE}/${workBranch}`);
        if (!head) return { kind: 'absent' };
        if (mergedInto !== undefined && head !== mergedInto && !(await isAncestor(head, mergedInto))) return { kind: 'kept', head };
        // Leased on the head just read: a push meanwhile keeps the branch.
        const [outcome] = await pushRefs({
          refspecs: [`:refs/heads/${workBranch}`],
          lease: { ref: `refs/heads/${workBranch}`, expect: head },
        });
        if (outcome && !outcome.ok) {
          // The lease failed: pushed to meanwhile, or deleted meanwhile (both "stale info").
          await fetch();
          const now = await revParse(`refs/remotes/${REMOTE}/${workBranch}`);
          return now ? { kind: 'moved', head: now } : { kind: 'absent' };
        }
        await inCache(['update-ref', '-d', `refs/remotes/${REMOTE}/${workBranch}`]);
        logger.info({ branch: workBranch, head }, 'deleted a hand-off branch');
        return { kind: 'deleted', head };
      }),

    pushTrain: ({ train, head, expectedOld, dryRun }) =>
      run(async (): Promise<PushTrainResult> => {
        await fetch();
        const branch = await trainBranch(train);
        if (branch.head !== expectedOld) {
          if (branch.head === head || (await isAncestor(head, branch.head))) {
            return { kind: 'already-pushed', branch: branch.branch, head, remoteHead: branch.head };
          }
          return { kind: 'remote-moved', branch: branch.branch, expectedOld, remoteHead: branch.head };
        }
        if (!(await revParse(head))) {
          throw new GitError('unknown-commit', `The commit \`${head.slice(0, 12)}\` to push is not in my cache; pick the commits again.`, {
            commits: [head],
          });
        }
        if (head === expectedOld) return { kind: 'already-pushed', branch: branch.branch, head, remoteHead: branch.head };
        if (!(await isAncestor(expectedOld, head))) {
          throw new GitError(
            'not-fast-forward',
            `\`${head.slice(0, 12)}\` does not build on ${branch.branch} (\`${expectedOld.slice(0, 12)}\`); I never force-push a train branch. Pick the commits again on the current ${branch.branch}.`,
          );
        }
        const [outcome] = await pushRefs({ refspecs: [`${head}:refs/heads/${branch.branch}`], dryRun });
        if (outcome && !outcome.ok) {
          await fetch();
          const moved = await trainBranch(train);
          return { kind: 'remote-moved', branch: branch.branch, expectedOld, remoteHead: moved.head };
        }
        logger.info({ branch: branch.branch, old: expectedOld, head, dryRun: dryRun ?? false }, 'pushed a train branch');
        return { kind: 'pushed', branch: branch.branch, old: expectedOld, head };
      }),

    tag: ({ train, commit, expectedTag, dryRun }) =>
      run(async (): Promise<TagResult> => {
        await fetch();
        // Right before tagging: what the remote has now, not the cache.
        const remoteTags = await remoteRefs('refs/tags/*');
        const names = [...remoteTags.keys()].filter((ref) => !ref.endsWith('^{}')).map((ref) => ref.slice('refs/tags/'.length));
        const peeled = (name: string) => remoteTags.get(`refs/tags/${name}^{}`) ?? remoteTags.get(`refs/tags/${name}`);
        const next = nextTagOf([...names, ...((await context.guard?.countedTags()) ?? [])], train, tagFormat);
        if (expectedTag !== undefined && expectedTag !== next) {
          if (names.includes(expectedTag) && peeled(expectedTag) === commit) return { kind: 'already-tagged', tag: expectedTag, commit };
          throw new GitError(
            'tag-appeared',
            `${names.includes(expectedTag) ? `The tag ${expectedTag} appeared on the remote meanwhile` : `The numbering of train ${train} moved meanwhile (the next tag is now ${next})`}, on another commit; I tagged nothing. Check who tagged it; to release these commits anyway, plan ${next}.`,
          );
        }
        const tag = expectedTag ?? next;
        if (dryRun) return { kind: 'tagged', tag, commit };
        const local = await revParse(`refs/tags/${tag}`);
        if (local !== commit) {
          if (local !== null) await inCache(['tag', '--delete', tag]);
          await inCache(['tag', '--annotate', '--message', `Train release ${tag}`, tag, commit]);
        }
        const [outcome] = await pushRefs({ refspecs: [`refs/tags/${tag}:refs/tags/${tag}`] });
        if (outcome && !outcome.ok) {
          const now = await remoteRefs(`refs/tags/${tag}*`);
          if ((now.get(`refs/tags/${tag}^{}`) ?? now.get(`refs/tags/${tag}`)) === commit) return { kind: 'already-tagged', tag, commit };
          await inCache(['tag', '--delete', tag]);
          throw new GitError(
            'tag-appeared',
            `The tag ${tag} appeared on the remote meanwhile, on another commit; I tagged nothing. Check who tagged it, then plan the next number.`,
          );
        }
        logger.info({ tag, commit }, 'pushed a release tag');
        return { kind: 'tagged', tag, commit };
      }),

    forwardPorts: (input = {}) =>
      run(async () => {
        await fetch();
        return findForwardPorts({ git: inCache, trains: await trainBranches(), main: await mainHead(), ...input });
      }),

    whereIs: (sha) =>
      run(async () => {
        await fetch();
        const [resolved = sha] = await resolveCommits([sha]);
        return findWhere({ git: inCache, trains: await trainBranches(), main: await mainHead(), sha: resolved, tagFormat });
      }),

    ...extraOperations({ run, fetch, inCache, revParse, withWorktree, pushRefs, remoteRefs, logger }),
  };

  async function pushWorkBranch(workBranch: string, head: string): Promise<void> {
    checkWorkBranchName(workBranch);
    const old = await revParse(`refs/remotes/${REMOTE}/${workBranch}`);
    if (old === head) return;
    const [outcome] = await pushRefs({
      refspecs: [`${head}:refs/heads/${workBranch}`],
      lease: { ref: `refs/heads/${workBranch}`, expect: old },
    });
    if (outcome && !outcome.ok) {
      throw new GitError(
        'push-rejected',
        `Someone else pushed to ${workBranch} meanwhile; I left it as it is. Look at the branch, then resume.`,
      );
    }
    await inCache(['update-ref', `refs/remotes/${REMOTE}/${workBranch}`, head]);
  }

  return repository;
}

/** A hand-off branch name is the bot's own (`dot/train-N.P`): anything else is a bug, not input. */
function checkWorkBranchName(workBranch: string): void {
  if (!/^[\w./-]+$/.test(workBranch) || workBranch.includes('..')) throw new Error(`not a branch name: ${workBranch}`);
}

/** The train of a branch name: the format's, or the historical leading-zero `train-0N` for the default format. */
export function trainOfBranch(name: string, branchFormat: string): number | null {
  const train = parseTrainBranch(name, branchFormat);
  if (train !== null) return train;
  if (branchFormat === DEFAULT_BRANCH_FORMAT) {
    const match = /^train-(0\d+)$/.exec(name);
    if (match?.[1]) return Number(match[1]);
  }
  return null;
}

function branchName(branchFormat: string, train: number): string {
  return branchFormat.replace('{N}', String(train));
}

function nextTagOf(tags: string[], train: number, tagFormat: string): string {
  const next = nextPatchNumber(tags, train, tagFormat);
  if (next === null) {
    throw new GitError(
      'no-train-branch',
      `Train ${train} has no release tag (${formatTag(tagFormat, train, 0)}) yet, so it has no dot release to number. Cut the train first.`,
    );
  }
  return formatTag(tagFormat, train, next);
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim()
      .slice(0, 200) ?? 'no details'
  );
}

/** A sparse-checkout pattern matching exactly one path (gitignore syntax: anchored, specials escaped). */
function sparsePattern(file: string): string {
  return `/${file.replace(/[\\*?[\]!# ]/g, (c) => `\\${c}`)}`;
}

function toFsGitError(error: unknown): Error {
  if ((error as { code?: unknown } | null)?.code === 'ENOSPC') {
    return new GitError('disk-full', 'The disk that holds my git cache is full, so nothing was pushed. Free some space and try again.', {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
