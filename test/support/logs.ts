/** A logger whose output a test reads back: the raw JSON lines, the parsed entries, the warnings. */
import pino from 'pino';
import { createLogger, type Logger } from '../../src/logger';

/** One parsed pino line. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface CapturedLogs {
  logger: Logger;
  /** What the logger wrote so far, one JSON line a write, as written. */
  lines: string[];
  /** Everything logged so far, as one text. */
  text(): string;
  /** The lines parsed (the same array, growing as the logger writes). */
  entries(): LogLine[];
  /** The entries at level warn. */
  warnings(): LogLine[];
}

/**
 * By default the project's logger (createLogger: redaction and scrubbing of secrets included), at `level`
 * (default debug). `plain: true` gives a bare pino logger instead, for tests that check a module never
 * hands a secret to its logger at all.
 */
export function captureLogs(options: { level?: string; plain?: boolean } = {}): CapturedLogs {
  const lines: string[] = [];
  const entries: LogLine[] = [];
  const destination = {
    write(chunk: string): void {
      lines.push(chunk);
      for (const line of chunk.split('\n')) if (line.trim() !== '') entries.push(JSON.parse(line) as LogLine);
    },
  };
  const level = options.level ?? 'debug';
  const logger = options.plain ? pino({ level }, destination) : createLogger({ level, destination });
  return {
    logger,
    lines,
    text: () => lines.join(''),
    entries: () => entries,
    warnings: () => entries.filter((entry) => entry.level === 40),
  };
}
