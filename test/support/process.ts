/** Starts the built bot (dist/) as a real process, as a user or the Docker image would. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProductionCommand } from './production-command';

export const distDir = path.resolve(__dirname, '..', '..', 'dist');

/** The environment and node options production gives dist/main.js (package.json start:prod). */
const production = readProductionCommand(path.resolve(__dirname, '..', '..'));

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Runs dist/<script>; main.js with the environment and node options production gives it. */
export function spawnNode(script: string, args: string[], env: Record<string, string>): BotProcess {
  const main = script === 'main.js';
  return spawnProcess(process.execPath, [...(main ? production.nodeOptions : []), path.join(distDir, script), ...args], {
    env: { PATH: process.env.PATH ?? '', ...(main ? production.env : {}), ...env },
  });
}

/** Runs a command (`npm start`, say) with its output collected, as a BotProcess. */
export function spawnProcess(command: string, args: string[], options: SpawnOptions & { env: Record<string, string> }): BotProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers `status`, or fails after `timeoutMs` with the process output. */
export async function waitForStatus(url: string, status: number, bot: BotProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      last = `HTTP ${response.status}`;
      if (response.status === status) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last}). Output:\n${bot.output()}`);
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
