/**
 * How production starts the bot: `npm run start:prod` (package.json), which
 * the Docker image's CMD repeats (test/config/production-command.test.ts keeps
 * them equal). The process tests and the benchmark's bot process start it the
 * same way, with the same node options (the memory budget): what they measure
 * and check is what is deployed, on every Node version CI runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** `[NAME=value …] node <options> dist/main.js`: nothing else is expected in the script. */
const START_PROD = /^((?:[A-Z][A-Z0-9_]*=\S+\s+)*)node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/main\.js$/;

/** How `npm run start:prod` runs dist/main.js: the environment it sets and the node options. */
export interface ProductionCommand {
  /** Variables set before `node` (e.g. MALLOC_ARENA_MAX): the Dockerfile's ENV sets them too. */
  env: Record<string, string>;
  nodeOptions: string[];
}

/** `npm run start:prod`, read from the project's package.json. */
export function readProductionCommand(projectRoot: string): ProductionCommand {
  const manifest: unknown = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
  const scripts = typeof manifest === 'object' && manifest !== null && 'scripts' in manifest ? manifest.scripts : undefined;
  const startProd = typeof scripts === 'object' && scripts !== null && 'start:prod' in scripts ? scripts['start:prod'] : undefined;
  if (typeof startProd !== 'string') throw new Error('package.json has no scripts.start:prod');
  const match = START_PROD.exec(startProd.trim());
  if (!match) throw new Error(`scripts.start:prod is not \`[NAME=value …] node [--option …] dist/main.js\`: ${startProd}`);
  const env: Record<string, string> = {};
  for (const assignment of (match[1] ?? '').split(/\s+/).filter(Boolean)) {
    const equals = assignment.indexOf('=');
    env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return { env, nodeOptions: (match[2] ?? '').split(/\s+/).filter(Boolean) };
}

/** The node options of `npm run start:prod`, read from the project's package.json. */
export function readProductionNodeOptions(projectRoot: string): string[] {
  return readProductionCommand(projectRoot).nodeOptions;
}
