/**
 * A dot release with the git adapter (src/git) on a generated repository of
 * 20,000 commits and 5,000 files served as a `file://` remote (upload-pack
 * with filters allowed, so the adapter's partial clone is a real one), side by
 * side with what a person does by hand: a full `git clone` and the same three
 * picks, push and tag. Cold cache first, then warm (three more picks).
 *
 * The generated repository is cached under os.tmpdir(), keyed by GENERATOR_VERSION;
 * each run works on fresh copies of it, so nothing is left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGitRepositories, runDotRelease } from '../../src/git';
import { createLogger } from '../../src/logger';
import type { BenchContext } from '../context';
import type { BenchSection, Figure, SectionResult, Target } from '../figures';

/** Change it when the generated history changes (the cache is keyed by it). */
const GENERATOR_VERSION = 'v3-20000x5000';
const COMMITS = 20_000;
const DIRS = 50;
const FILES_PER_DIR = 100;
/** The train cut near the end of main; the fixes come after it. */
const TRAIN = 500;
const FIXES = 6;
const CUT_AT = COMMITS - 200;
/** Lines a commit rewrites in each of the two files it changes. */
const LINES_CHANGED = 6;
const GENERATOR_SEED = 20261201;

/** A deterministic pseudo-random generator (xorshift32). */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** One line of source-like text with identifiers that do not repeat (about as compressible as real code). */
function line(next: () => number): string {
  const words = ['const', 'return', 'await', 'export', 'function', 'if', 'throw', 'import'];
  return `${words[next() % words.length]} id_${next().toString(36)} = call_${next().toString(36)}(${next() % 1000}, '${next().toString(36)}');`;
}

function fileLines(next: () => number, count: number): string[] {
  return Array.from({ length: count }, () => line(next));
}

const filePath = (n: number) => `pkg-${String(n % DIRS).padStart(2, '0')}/file-${String(Math.floor(n / DIRS)).padStart(3, '0')}.ts`;

/** The fast-import stream of the whole history (main, `train-500` + `v1.500.0` at CUT_AT, fixes on main after it). */
async function generate(remote: string): Promise<void> {
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const importer = spawn('git', ['fast-import', '--quiet'], { cwd: remote, stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => {
    importer.on('error', reject);
    importer.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}`))));
  });
  const write = (text: string): Promise<void> =>
    new Promise((resolve) => {
      if (importer.stdin.write(text)) resolve();
      else importer.stdin.once('drain', resolve);
    });
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const next = random(GENERATOR_SEED);
  // Each file as it is on main now: a commit rewrites a few lines of two files, as a typical change does.
  const files = Array.from({ length: DIRS * FILES_PER_DIR }, () => fileLines(next, 40));
  const change = (f: number): string => {
    const lines = files[f] ?? [];
    const at = next() % Math.max(1, lines.length - LINES_CHANGED);
    lines.splice(at, LINES_CHANGED, ...fileLines(next, LINES_CHANGED));
    return `M 100644 inline ${filePath(f)}\n${data(`${lines.join('\n')}\n`)}`;
  };
  const when = (i: number) => `${1_700_000_000 + i * 60} +0000`;
  for (let i = 1; i <= COMMITS; i += 1) {
    const fixIndex = i - (COMMITS - FIXES * 10);
    const isFix = fixIndex > 0 && fixIndex % 10 === 0;
    const message = isFix ? `fix: issue ${fixIndex / 10}` : `change ${i}`;
    let text = `commit refs/heads/main\nmark :${i}\nauthor Dev <dev@example.com> ${when(i)}\ncommitter Dev <dev@example.com> ${when(i)}\n${data(message)}`;
    if (i > 1) text += `from :${i - 1}\n`;
    if (i === 1) {
      for (let f = 0; f < DIRS * FILES_PER_DIR; f += 1)
        text += `M 100644 inline ${filePath(f)}\n${data(`${(files[f] ?? []).join('\n')}\n`)}`;
    } else if (isFix) {
      // A fix touches a file nothing else touches after the cut, so that its pick is clean.
      text += `M 100644 inline fixes/fix-${fixIndex / 10}.ts\n${data(`${fileLines(next, 20).join('\n')}\n`)}`;
    } else {
      text += change(next() % (DIRS * FILES_PER_DIR)) + change(next() % (DIRS * FILES_PER_DIR));
    }
    if (i === CUT_AT) {
      text += `\nreset refs/heads/train-${TRAIN}\nfrom :${i}\n\ntag v1.${TRAIN}.0\nfrom :${i}\ntagger Dev <dev@example.com> ${when(i)}\n${data(`Train release ${TRAIN}`)}`;
    }
    await write(text);
  }
  importer.stdin.end();
  await done;
  execFileSync('git', ['config', 'uploadpack.allowFilter', 'true'], { cwd: remote });
  execFileSync('git', ['repack', '-a', '-d', '-q'], { cwd: remote });
}

/** The generated remote, made once per GENERATOR_VERSION. */
async function generatedRemote(context: BenchContext): Promise<{ path: string; generatedS: number | null }> {
  const cached = path.join(os.tmpdir(), `release-conductor-bench-git-${GENERATOR_VERSION}`, 'remote.git');
  if (existsSync(path.join(cached, 'HEAD'))) return { path: cached, generatedS: null };
  context.progress(`generating a repository of ${COMMITS} commits and ${DIRS * FILES_PER_DIR} files (once, cached at ${cached})`);
  const started = performance.now();
  const building = `${cached}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  await generate(building);
  rmSync(cached, { recursive: true, force: true });
  renameSync(building, cached);
  return { path: cached, generatedS: (performance.now() - started) / 1000 };
}

function sizeMb(dir: string): number {
  let bytes = 0;
  const walk = (p: string) => {
    const stat = statSync(p);
    if (stat.isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
    else bytes += stat.size;
  };
  if (existsSync(dir)) walk(dir);
  return bytes / 1e6;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

export function dotReleaseSection(): BenchSection {
  return {
    title: 'dot release with the git adapter (partial clone) vs a full clone by hand, 20,000 commits x 5,000 files',
    async run(context: BenchContext): Promise<SectionResult> {
      const generated = await generatedRemote(context);
      const work = mkdtempSync(path.join(os.tmpdir(), 'rc-bench-dot-'));
      try {
        const ours = path.join(work, 'ours.git');
        const theirs = path.join(work, 'by-hand.git');
        cpSync(generated.path, ours, { recursive: true });
        cpSync(generated.path, theirs, { recursive: true });
        const fixes = git(ours, ['log', '--reverse', '--format=%H', '--grep=^fix: issue', 'main']).split('\n');
        const first = fixes.slice(0, 3);
        const next = fixes.slice(3, 6);

        const dataDir = path.join(work, 'data');
        const repositories = createGitRepositories({
          dataDir,
          logger: createLogger({ level: 'warn' }),
          env: { PATH: process.env.PATH, HOME: work },
        });
        const repository = repositories.open(`file://${ours}`);
        let started = performance.now();
        const cold = await runDotRelease({ repository, train: TRAIN, commits: first });
        const firstS = (performance.now() - started) / 1000;
        const cacheMb = sizeMb(path.join(dataDir, 'git'));
        started = performance.now();
        const warm = await runDotRelease({ repository, train: TRAIN, commits: next });
        const nextS = (performance.now() - started) / 1000;
        if (cold.tag !== `v1.${TRAIN}.1` || warm.tag !== `v1.${TRAIN}.2`) {
          throw new Error(`dot-release bench: unexpected result ${JSON.stringify({ cold, warm })}`);
        }

        // By hand: full clone, the same three picks, push, tag by itself.
        const clone = path.join(work, 'full-clone');
        started = performance.now();
        git(work, ['clone', '--quiet', '--no-local', `file://${theirs}`, clone]);
        git(clone, ['switch', '--quiet', '-c', `train-${TRAIN}`, `origin/train-${TRAIN}`]);
        git(clone, ['cherry-pick', '-x', ...first]);
        git(clone, ['push', '--quiet', 'origin', `train-${TRAIN}`]);
        git(clone, ['tag', '-a', '-m', `Train release v1.${TRAIN}.1`, `v1.${TRAIN}.1`]);
        git(clone, ['push', '--quiet', 'origin', `refs/tags/v1.${TRAIN}.1`]);
        const byHandS = (performance.now() - started) / 1000;
        const fullMb = sizeMb(path.join(clone, '.git'));
        const onDisk = { blob: 0, other: 0 };
        for (const row of git(clone, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize:disk)']).split('\n')) {
          const [type, size] = row.split(' ');
          if (type === 'blob') onDisk.blob += Number(size);
          else onDisk.other += Number(size);
        }
        const blobShare = onDisk.blob / (onDisk.blob + onDisk.other);
        const sameTree = git(ours, ['rev-parse', `v1.${TRAIN}.1^{tree}`]) === git(theirs, ['rev-parse', `v1.${TRAIN}.1^{tree}`]);

        const figures: Figure[] = [
          {
            key: 'dot_release_first_s',
            label: 'dot release, cold cache (partial clone + 3 picks + push + tag)',
            value: firstS,
            unit: 's',
            decimals: 2,
          },
          {
            key: 'full_clone_picks_s',
            label: 'by hand: full git clone + the same 3 picks + push + tag',
            value: byHandS,
            unit: 's',
            decimals: 2,
          },
          { key: 'dot_release_next_s', label: 'dot release, warm cache (3 more picks + push + tag)', value: nextS, unit: 's', decimals: 2 },
          { key: 'git_cache_mb', label: 'git cache after the first dot release (DATA_DIR/git)', value: cacheMb, unit: 'MB', decimals: 1 },
          { key: 'full_clone_mb', label: 'full clone (.git)', value: fullMb, unit: 'MB', decimals: 1 },
          { key: 'git_cache_ratio', label: 'git cache / full clone', value: cacheMb / fullMb, unit: '×', decimals: 2 },
          {
            key: 'dot_release_github_requests',
            label: 'GitHub API requests of the CLI dot release (git over the remote only)',
            value: 0,
            unit: '',
            decimals: 0,
          },
        ];
        const targets: Target[] = [
          { figureKey: 'git_cache_ratio', description: 'git cache <= 0.3 x a full clone', comparison: '<=', limit: 0.3 },
          { figureKey: 'dot_release_github_requests', description: 'GitHub requests <= 5 for three picks', comparison: '<=', limit: 5 },
        ];
        return {
          figures,
          targets,
          notes: [
            `remote: file:// bare repository of ${COMMITS} commits, ${DIRS * FILES_PER_DIR} files (${sizeMb(generated.path).toFixed(1)} MB packed); ${generated.generatedS === null ? 'generated by an earlier run (cached in os.tmpdir())' : `generated in ${generated.generatedS.toFixed(1)} s`}.`,
            `blobs are ${(blobShare * 100).toFixed(0)} % of the full clone's objects on disk (commits and trees the rest): the partial clone leaves out the blobs, so the ratio depends on that share.`,
            `both ways produced the same tree for v1.${TRAIN}.1: ${sameTree ? 'yes' : 'NO'}.`,
            'dot_release_github_requests counts the CLI path (runDotRelease): git talks to the remote, not to the GitHub API. The Slack path (buttons, messages) counts its own.',
            'each pick checks out a fresh SPARSE worktree of the train (only the files the commit touches): the cache holds commits, trees and those few blobs, not the files of the tree nor their history.',
          ],
        };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
