#!/usr/bin/env node
// Generates the Prisma client into src/generated/prisma without network access.
// `prisma generate` only needs the schema engine binary to exist, not to run; the
// CLI would otherwise try to download it from a host that may be unreachable. We
// point it at an executable that is always present (this Node binary) unless the
// environment already names a real engine.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = require.resolve('prisma/build/index.js', { paths: [path.join(__dirname, '..')] });
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env, cwd: path.join(__dirname, '..') });
process.exit(result.status ?? 1);
