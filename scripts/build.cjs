#!/usr/bin/env node
// Builds dist/ from the sources: generates the Prisma client, then compiles with tsconfig.build.json.
//
//   node scripts/build.cjs               always builds (`npm run build`)
//   node scripts/build.cjs --if-changed  builds only when the sources changed since the last build (`npm start`)
//
// "Changed" is decided by content, not by modification times (a fresh clone or a checkout touches every
// file): a SHA-256 over the files the build reads (src/ without the generated client, the Prisma schema
// and config, the tsconfigs, package-lock.json, this script and the generator's) is written to
// dist/.build-fingerprint after a build that succeeded, and compared with the sources' on the next start.
// A build starts from an empty dist/, so nothing removed from src/ stays behind.
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const STAMP = path.join('dist', '.build-fingerprint');
const FILES = [
  'prisma/schema.prisma',
  'prisma.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'scripts/build.cjs',
  'scripts/prisma-generate.cjs',
];

/** Every file under `dir` (relative to `root`, with '/'), sorted, leaving out src/generated/. */
function listFiles(root, dir) {
  const out = [];
  const walk = (relative) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (child === 'src/generated') continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  if (existsSync(path.join(root, dir))) walk(dir);
  return out;
}

/** The fingerprint of the sources the build reads. */
function fingerprint(root) {
  const hash = createHash('sha256');
  const files = [...listFiles(root, 'src'), ...FILES.filter((file) => existsSync(path.join(root, file)))].sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Why a build is needed, or undefined when dist/ was built from the sources as they are. */
function reasonToBuild(root) {
  if (!existsSync(path.join(root, 'dist', 'main.js'))) return 'dist/main.js is missing';
  const stampPath = path.join(root, STAMP);
  if (!existsSync(stampPath)) return `${STAMP} is missing (dist/ was not built by this script)`;
  if (readFileSync(stampPath, 'utf8').trim() !== fingerprint(root)) return 'the sources changed since the last build';
  return undefined;
}

/** The build's two steps, each a node process; returns the first failing exit status, or 0. */
function runBuild(root) {
  const steps = [
    [path.join(root, 'scripts', 'prisma-generate.cjs')],
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  ];
  for (const args of steps) {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) return result.status ?? 1;
  }
  return 0;
}

/**
 * Builds when asked to (or, with `ifChanged`, when the sources changed) and records the fingerprint.
 * `build` runs the build in `root` and returns its exit status (tests pass a stand-in).
 */
function build(options) {
  const { root, ifChanged = false, log = (line) => process.stderr.write(`${line}\n`), runBuild: run = runBuild } = options;
  const reason = ifChanged ? reasonToBuild(root) : 'asked to build';
  if (reason === undefined) {
    log('release-conductor: dist/ is up to date with the sources; not rebuilding');
    return { built: false, status: 0 };
  }
  log(`release-conductor: building (${reason})`);
  // Taken before the build: a file edited while it runs makes the next start build again.
  const sources = fingerprint(root);
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const status = run(root);
  if (status !== 0) return { built: false, status };
  writeFileSync(path.join(root, STAMP), `${sources}\n`);
  return { built: true, status: 0 };
}

module.exports = { build, fingerprint, reasonToBuild, STAMP };

if (require.main === module) {
  try {
    const { status } = build({ root: path.join(__dirname, '..'), ifChanged: process.argv.includes('--if-changed') });
    process.exitCode = status;
  } catch (error) {
    process.stderr.write(`release-conductor: build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
