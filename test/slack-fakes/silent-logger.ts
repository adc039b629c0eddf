import { LogLevel, type Logger } from '@slack/web-api';

/** A @slack/logger Logger that drops everything (WebClient and Bolt log retries and rate limits at info/warn). */
export function silentLogger(): Logger {
  let level: LogLevel = LogLevel.ERROR;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
