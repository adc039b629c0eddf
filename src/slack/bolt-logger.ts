/** Bolt's and the Web API client's logs, into pino. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../logger';

const toBolt: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

function text(parts: unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
}

/** A Bolt `Logger` writing to a pino child logger. */
export function createBoltLogger(logger: Logger): BoltLogger {
  let child = logger.child({ module: 'bolt' });
  // Bolt and the Web API client log at debug level on every request and call: format only what is written.
  return {
    debug: (...parts: unknown[]) => {
      if (child.isLevelEnabled('debug')) child.debug(text(parts));
    },
    info: (...parts: unknown[]) => {
      if (child.isLevelEnabled('info')) child.info(text(parts));
    },
    warn: (...parts: unknown[]) => child.warn(text(parts)),
    error: (...parts: unknown[]) => {
      const error = parts.find((part): part is Error => part instanceof Error);
      child.error(error ? { err: error } : {}, text(parts));
    },
    setLevel: () => undefined, // the level is the process's LOG_LEVEL
    getLevel: () => toBolt[logger.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = logger.child({ module: name });
    },
  };
}
