/**
 * Issue 16: the private repository of security releases (FxA's `mozilla/fxa-private`), and the guard that keeps
 * its fixes out of the public repository.
 *
 * By construction: the private repository has a clone of its own (`<dataDir>/git-private/…`, never the public
 * cache), in which the public repository is a second remote named `public` (fetched, never pushed to: the only
 * push of this file goes to the private remote). The public clone never has the private one as a remote.
 *
 * By check: `guard.checkPush` runs inside the public adapter's `pushRefs` before every push to the public
 * repository. It lists what the push would send (`rev-list --objects <pushed> --not <public refs>`) and refuses
 * it when any commit carries a private-only object (the same commit, a tree or a file content found only in the
 * private repository), the same patch as a private-only commit (a cherry-pick), or a `cherry picked from` trailer
 * naming one. Private-only: reachable from the private repository's refs and not from the public one's, minus
 * what an uplift released (`allowedCommits`). If the private repository cannot be read, the push is refused too.
 *
 * Numbering: `guard.countedTags` gives the private tags (`v1.N.P`, or hyphen-suffixed historical ones such as
 * `v1.82.3-private`) in the public tag format, so a public dot release takes the number after them.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BRANCH_FORMAT, DEFAULT_TAG_FORMAT, formatBranch, formatTag, listReleaseTags } from '../train/versions';
import { GitError } from './errors';
import { isAncestor as isAncestorIn, lines, patchIds, revParse as revParseIn, trailersOf } from './history';
import { noRepositoryLock } from './lock';
import { cacheName, normaliseRemote, trainOfBranch } from './repositories';
import { createGitRunner, GitCommandError } from './runner';
import type { GitGuard, GuardGit } from './extension-types';
import type { GitCredentials, RepositoryLock } from './types';
import type { Logger } from '../logger';

/** One commit that a push to the public repository would leak, and how it was recognised. */
export interface LeakingCommit {
  /** The commit in the push. */
  commit: string;
  matchedBy: 'same-commit' | 'private-object' | 'patch-id' | 'trailer';
  /** The private-only commit it matches (for same-commit, patch-id and trailer). */
  privateCommit: string | null;
}

export interface PrivateRepositoryOptions {
  /** The private repository's clone goes under `<dataDir>/git-private/` (never beside the public caches). */
  dataDir: string;
  logger: Logger;
  /** The private repository (URL or local path). */
  privateRemote: string;
  /** The public repository (URL or local path): fetched into the private clone as remote `public`, never pushed to. */
  publicRemote: string;
  credentials?: GitCredentials;
  lock?: RepositoryLock;
  env?: Record<string, string | undefined>;
  gitBinary?: string;
  /** Train branches, and the public tag format (default `v1.{N}.{P}`). */
  formats?: { branchFormat?: string; tagFormat?: string };
  /** The private repository's tag format, default `v1.{N}.{P}`; `<format>-<suffix>` tags (`v1.82.3-private`) count too. */
  privateTagFormat?: string;
  /** Private commits an uplift has released to the public repository (their objects no longer count as private-only). */
  allowedCommits?: () => Promise<string[]>;
}

/** What a security release needs of the private repository. */
export interface PrivateRepository {
  readonly remote: string;
  readonly guard: GitGuard;
  /** Pushes the public `train-N` to the private repository (fast-forward only; left alone if the private one already contains it). */
  startTrain(train: number): Promise<{ branch: string; head: string; kind: 'pushed' | 'already-there' }>;
  /** The tag a security release of `train` would take now: P counts the public AND the private tags of the train. */
  nextTag(train: number): Promise<string>;
  /**
   * Tags the private `train-N` (once the fix's PR is merged there) as the next `v1.N.P` (annotated, message
   * `Security release v1.N.P`) and pushes that tag alone to the private remote. If its head is tagged already
   * (a retry), returns that tag with `pushedTo: null`.
   * @throws GitError `no-train-branch` (no private train-N), `empty-plan` (no fix merged on it yet), `tag-appeared`, `network`
   */
  tag(input: { train: number; dryRun?: boolean }): Promise<{ tag: string; commit: string; pushedTo: string | null }>;
  /** The fix of a security release: the private commits between the public `train-N` and `tag`, as an mbox, and the files they touch. */
  fixOf(input: { train: number; tag: string }): Promise<{ commit: string; commits: string[]; files: string[]; patches: string }>;
  /** Commits of `refspecs` (in the public cache `git`) that carry private-only content. */
  leaksIn(push: { refspecs: string[]; git: GuardGit }): Promise<LeakingCommit[]>;
}

const ORIGIN = 'origin';
const PUBLIC = 'public';
const PUBLIC_TAGS = 'refs/public-tags';

/** Builds the private repository's clone and guard. Nothing touches the disk or the network until an operation runs. */
export function createPrivateRepository(options: PrivateRepositoryOptions): PrivateRepository {
  const remote = normaliseRemote(options.privateRemote);
  const publicRemote = normaliseRemote(options.publicRemote);
  if (remote === publicRemote) {
    throw new GitError('git-failed', 'The private repository is the public one: set privateRepository to the private repository.');
  }
  const root = path.resolve(options.dataDir, 'git-private');
  const cache = path.join(root, cacheName(remote));
  const git = createGitRunner({
    logger: options.logger,
    gitBinary: options.gitBinary ?? 'git',
    env: options.env ?? {},
    credentials: options.credentials,
    gitRoot: root,
  });
  const inCache = (args: string[], run: { network?: boolean; input?: string } = {}) => git(args, { cwd: cache, ...run });
  const lock = options.lock ?? noRepositoryLock;
  const branchFormat = options.formats?.branchFormat ?? DEFAULT_BRANCH_FORMAT;
  const tagFormat = options.formats?.tagFormat ?? DEFAULT_TAG_FORMAT;
  const privateTagFormat = options.privateTagFormat ?? DEFAULT_TAG_FORMAT;
  const logger = options.logger;
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(
      () => lock(`private:${remote}`, work),
      () => lock(`private:${remote}`, work),
    );
    queue = result.catch(() => undefined);
    return result;
  };

  async function fetch(): Promise<void> {
    if (!existsSync(path.join(cache, 'HEAD'))) {
      await mkdir(cache, { recursive: true });
      await inCache(['init', '--bare', '--quiet']);
      await inCache(['config', 'core.repositoryformatversion', '1']);
      await inCache(['config', 'extensions.partialClone', ORIGIN]);
      await inCache(['config', 'gc.auto', '0']);
      for (const [name, url] of [
        [ORIGIN, remote],
        [PUBLIC, publicRemote],
      ] as const) {
        await inCache(['remote', 'add', name, url]);
        await inCache(['config', `remote.${name}.promisor`, 'true']);
        await inCache(['config', `remote.${name}.partialclonefilter`, 'blob:none']);
      }
      // Nothing may ever be pushed to `public` from this clone.
      await inCache(['config', `remote.${PUBLIC}.pushurl`, 'no-push://the-public-repository-is-never-pushed-to-from-the-private-clone']);
      logger.info({ cache: path.basename(cache) }, 'created the private repository clone (separate from the public cache)');
    }
    const fetchArgs = (name: string, refspecs: string[]) => [
      '-c',
      'uploadpack.allowFilter=true',
      'fetch',
      '--quiet',
      '--prune',
      '--no-tags',
      '--filter=blob:none',
      name,
      ...refspecs,
    ];
    await inCache(fetchArgs(ORIGIN, [`+refs/heads/*:refs/remotes/${ORIGIN}/*`, '+refs/tags/*:refs/tags/*']), { network: true });
    await inCache(fetchArgs(PUBLIC, [`+refs/heads/*:refs/remotes/${PUBLIC}/*`, `+refs/tags/*:${PUBLIC_TAGS}/*`]), { network: true });
  }

  const revParse = (ref: string) => revParseIn(inCache, ref);

  const isAncestor = (ancestor: string, descendant: string) => isAncestorIn(inCache, ancestor, descendant);

  /** `train-N` under `refs/remotes/<name>/` (the format's name, or the historical `train-0N`). */
  async function trainHead(name: string, train: number): Promise<{ branch: string; head: string } | null> {
    for (const line of lines(await inCache(['for-each-ref', '--format=%(refname:lstrip=3) %(objectname)', `refs/remotes/${name}/`]))) {
      const [branch = '', head = ''] = line.split(' ');
      if (trainOfBranch(branch, branchFormat) === train) return { branch, head };
    }
    return null;
  }

  /** Tags of both repositories that count for numbering, in the public tag format. */
  async function numberingTags(): Promise<{ publicTags: string[]; privateTags: string[] }> {
    const privateNames = lines(await inCache(['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/tags/']));
    const publicNames = lines(await inCache(['for-each-ref', '--format=%(refname:lstrip=2)', `${PUBLIC_TAGS}/`]));
    return { publicTags: publicNames, privateTags: privateCounted(privateNames, privateTagFormat, tagFormat) };
  }

  async function nextTagOf(train: number): Promise<{ tag: string; patch: number }> {
    const { publicTags, privateTags } = await numberingTags();
    const ours = listReleaseTags([...publicTags, ...privateTags], tagFormat).filter((t) => t.train === train);
    const highest = ours.at(-1);
    if (!highest) {
      throw new GitError(
        'no-train-branch',
        `Train ${train} has no release tag (${formatTag(tagFormat, train, 0)}) yet: cut it before a security release.`,
      );
    }
    return { tag: formatTag(privateTagFormat, train, highest.patch + 1), patch: highest.patch + 1 };
  }

  /** Private-only objects (commits, trees, blobs, tags) and commits, given what an uplift released. */
  async function privateOnly(): Promise<{ objects: Set<string>; commits: string[] }> {
    const allowed: string[] = [];
    for (const sha of (await options.allowedCommits?.()) ?? []) {
      const found = await revParse(sha);
      if (found) allowed.push(found);
    }
    const range = ['--remotes=origin', '--tags', '--not', `--remotes=${PUBLIC}`, `--glob=${PUBLIC_TAGS}/*`, ...allowed];
    const objects = new Set(
      lines(await inCache(['rev-list', '--objects', '--missing=print', ...range])).map(
        (line) => line.replace(/^\?/, '').split(' ')[0] ?? '',
      ),
    );
    const commits = lines(await inCache(['rev-list', '--no-merges', ...range]));
    return { objects, commits };
  }

  async function leaksIn(push: { refspecs: string[]; git: GuardGit }): Promise<LeakingCommit[]> {
    const sources = push.refspecs.map((refspec) => refspec.slice(0, refspec.indexOf(':')));
    // What the push would send: everything reachable from its sources that the public remote does not have.
    const outgoing = ['--not', '--remotes=origin'];
    const pushedCommits = lines(await push.git(['rev-list', ...sources, ...outgoing]));
    if (pushedCommits.length === 0) return [];
    const { objects, commits: privateCommits } = await exclusive(async () => {
      await fetch();
      return privateOnly();
    });
    if (objects.size === 0) return [];
    const leaks = new Map<string, LeakingCommit>();
    for (const commit of pushedCommits)
      if (objects.has(commit)) leaks.set(commit, { commit, matchedBy: 'same-commit', privateCommit: commit });
    // A new commit (a cherry-pick, a rebase) that carries a tree or a file content only the private repository has.
    for (const commit of pushedCommits) {
      if (leaks.has(commit)) continue;
      const own = lines(await push.git(['rev-list', '--objects', '--no-walk', '--missing=allow-any', commit, ...outgoing]));
      const carried = own.map((line) => line.split(' ')[0] ?? '').filter((sha) => sha !== commit);
      if (carried.some((sha) => objects.has(sha))) leaks.set(commit, { commit, matchedBy: 'private-object', privateCommit: null });
    }
    const privateSet = new Set(privateCommits);
    const trailers = await trailersOf(push.git, pushedCommits);
    for (const [commit, named] of trailers) {
      const hit = named.find((sha) => privateSet.has(sha));
      if (hit && !leaks.has(commit)) leaks.set(commit, { commit, matchedBy: 'trailer', privateCommit: hit });
    }
    const rest = pushedCommits.filter((commit) => !leaks.has(commit));
    if (rest.length > 0 && privateCommits.length > 0) {
      const privateIds = await exclusive(() => patchIds(inCache, privateCommits));
      const byId = new Map([...privateIds].map(([sha, id]) => [id, sha]));
      for (const [commit, id] of await patchIds(push.git, rest)) {
        const hit = byId.get(id);
        if (hit) leaks.set(commit, { commit, matchedBy: 'patch-id', privateCommit: hit });
      }
    }
    return pushedCommits.flatMap((commit) => {
      const leak = leaks.get(commit);
      return leak ? [leak] : [];
    });
  }

  const guard: GitGuard = {
    async checkPush(push) {
      let leaks: LeakingCommit[];
      try {
        leaks = await leaksIn(push);
      } catch (error) {
        if (error instanceof GitError && error.reason !== 'git-failed') {
          throw new GitError(
            error.reason,
            `I could not check this push against the private repository (${error.message}), so I pushed nothing to the public repository. Try again once it is reachable.`,
            { cause: error },
          );
        }
        throw error;
      }
      if (leaks.length === 0) return;
      // Only SHAs: never a subject or a file name of the fix, in a log line or a message.
      logger.warn({ remote: push.remote, commits: leaks.map((l) => l.commit) }, 'refused a push that would leak private commits');
      const listed = leaks
        .slice(0, 20)
        .map(
          (l) =>
            `\`${l.commit.slice(0, 12)}\` (${DESCRIBE[l.matchedBy]}${l.privateCommit && l.privateCommit !== l.commit ? ` \`${l.privateCommit.slice(0, 12)}\`` : ''})`,
        )
        .join(', ');
      throw new GitError(
        'private-leak',
        `I refused to push to the public repository: ${leaks.length === 1 ? 'this commit carries' : `these ${leaks.length} commits carry`} a fix that is only in the private repository: ${listed}${leaks.length > 20 ? `, and ${leaks.length - 20} more` : ''}. Nothing was pushed. A security fix reaches the public repository only through \`/release security uplift\`, after it is in production.`,
        { commits: leaks.map((l) => l.commit) },
      );
    },
    countedTags: () =>
      exclusive(async () => {
        await fetch();
        return (await numberingTags()).privateTags;
      }),
  };

  return {
    remote,
    guard,
    leaksIn,

    startTrain: (train) =>
      exclusive(async () => {
        await fetch();
        const upstream = await trainHead(PUBLIC, train);
        if (!upstream) {
          throw new GitError(
            'no-train-branch',
            `The public repository has no ${formatBranch(branchFormat, train)}: cut the train before a security release.`,
          );
        }
        const existing = await trainHead(ORIGIN, train);
        if (existing && (await isAncestor(upstream.head, existing.head))) {
          return { branch: existing.branch, head: existing.head, kind: 'already-there' as const };
        }
        if (existing && !(await isAncestor(existing.head, upstream.head))) {
          throw new GitError(
            'not-fast-forward',
            `The private ${existing.branch} has commits the public one lacks and the public one moved on too; I never force-push. Merge the public ${upstream.branch} into it by hand (or ask an admin), then try again.`,
          );
        }
        await pushPrivate([`${upstream.head}:refs/heads/${upstream.branch}`]);
        logger.info({ branch: upstream.branch }, 'pushed a public train branch to the private repository');
        return { branch: upstream.branch, head: upstream.head, kind: 'pushed' as const };
      }),

    nextTag: (train) =>
      exclusive(async () => {
        await fetch();
        return (await nextTagOf(train)).tag;
      }),

    tag: ({ train, dryRun }) =>
      exclusive(async () => {
        await fetch();
        const privateTrain = await trainHead(ORIGIN, train);
        if (!privateTrain) {
          throw new GitError(
            'no-train-branch',
            `The private repository has no ${formatBranch(branchFormat, train)} yet: start with \`/release security start ${train}\`.`,
          );
        }
        const upstream = await trainHead(PUBLIC, train);
        if (upstream && (await isAncestor(privateTrain.head, upstream.head))) {
          throw new GitError(
            'empty-plan',
            `The private ${privateTrain.branch} holds nothing the public one lacks: merge the fix's pull request into it first, then tag.`,
          );
        }
        // Already tagged (a retry, a resumed run): that tag, nothing pushed.
        const onHead = lines(await inCache(['tag', '--points-at', privateTrain.head]));
        const existing = listReleaseTags(privateCounted(onHead, privateTagFormat, tagFormat), tagFormat).find((t) => t.train === train);
        if (existing) {
          const name = onHead.find((n) => privateCounted([n], privateTagFormat, tagFormat).includes(existing.name)) ?? existing.name;
          return { tag: name, commit: privateTrain.head, pushedTo: null };
        }
        const { tag } = await nextTagOf(train);
        if (dryRun) return { tag, commit: privateTrain.head, pushedTo: null };
        if ((await revParse(`refs/tags/${tag}`)) !== null) {
          throw new GitError('tag-appeared', `The private repository already has ${tag}; I tagged nothing. Fetch and check the numbering.`);
        }
        await inCache(['tag', '--annotate', '--message', `Security release ${tag}`, tag, privateTrain.head]);
        try {
          await pushPrivate([`refs/tags/${tag}:refs/tags/${tag}`]);
        } catch (error) {
          await inCache(['tag', '--delete', tag]);
          throw error;
        }
        logger.info({ train }, 'pushed a security release tag to the private repository');
        return { tag, commit: privateTrain.head, pushedTo: remote };
      }),

    fixOf: ({ train, tag }) =>
      exclusive(async () => {
        await fetch();
        const commit = await revParse(`refs/tags/${tag}`);
        if (!commit) throw new GitError('unknown-commit', `The private repository has no tag ${tag}.`);
        const upstream = await trainHead(PUBLIC, train);
        if (!upstream) throw new GitError('no-train-branch', `The public repository has no ${formatBranch(branchFormat, train)}.`);
        const base = (await inCache(['merge-base', upstream.head, commit])).trim();
        const commits = lines(await inCache(['rev-list', '--reverse', '--no-merges', `${base}..${commit}`]));
        if (commits.length === 0) throw new GitError('empty-plan', `${tag} holds no commit beyond the public train: nothing to uplift.`);
        const files = lines(await inCache(['diff', '--no-renames', '--name-only', base, commit]));
        const patches = await inCache(['format-patch', '--stdout', '--no-renames', '--no-signature', `${base}..${commit}`, '--no-merges'], {
          network: true,
        });
        return { commit, commits, files, patches };
      }),
  };

  /** The only push of this file: to the private remote, explicit refspecs, never forced. */
  async function pushPrivate(refspecs: string[]): Promise<void> {
    for (const refspec of refspecs) if (refspec.startsWith('+')) throw new Error(`refusing forced refspec ${refspec}`);
    try {
      await inCache(['push', ORIGIN, ...refspecs], { network: true });
    } catch (error) {
      if (error instanceof GitCommandError && /\[rejected\]|\[remote rejected\]/.test(error.stderr)) {
        throw new GitError(
          'push-rejected',
          'The private repository refused my push (it moved, or the branch is protected). Nothing else was pushed; try again.',
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}

const DESCRIBE: Record<LeakingCommit['matchedBy'], string> = {
  'same-commit': 'a private commit',
  'private-object': 'holds a file only the private repository has',
  'patch-id': 'the same patch as private',
  trailer: 'cherry-picked from private',
};

/**
 * The private repository's tags that count for numbering, rendered in the public format: `privateTagFormat` tags,
 * and the same with a `-suffix` (the historical `v1.82.3-private`). Public numbering ignores hyphenated tags;
 * a private release's number must not be reused, so here they count.
 */
export function privateCounted(names: readonly string[], privateTagFormat: string, publicTagFormat: string): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const candidates = [name];
    const hyphen = name.indexOf('-', 1);
    if (hyphen > 0) candidates.push(name.slice(0, hyphen));
    for (const tag of listReleaseTags(candidates, privateTagFormat)) out.add(formatTag(publicTagFormat, tag.train, tag.patch));
  }
  return [...out];
}
