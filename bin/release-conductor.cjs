#!/usr/bin/env node
// `npx release-conductor <command>`: runs the compiled CLI (npm run build makes it).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('release-conductor is not built yet: run `npm run build` first.\n');
  process.exit(1);
}
require(cli)
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
