/**
 * Structured JSON logs (pino) with secrets kept out.
 *
 * Two layers: well-known secret fields are redacted by path, and every string
 * that is logged (messages, error messages and stacks included) is scrubbed
 * of anything shaped like a Slack or GitHub token or an HTTP credential, since
 * libraries put tokens in URLs and error texts where no path can find them.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACTED = '[redacted]';

const secretPatterns: RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack bot, user, app-config tokens
  /\bxapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g, // GitHub classic, OAuth, user-to-server, server (GitHub App installation `ghs_`) and refresh tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs (a GitHub App's, signed with its private key)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, // PEM private keys (GitHub App keys)
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g, // GitHub fine-grained tokens
  /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization header values
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, // passwords in database URLs
];

/** Replaces anything shaped like a token or credential in a string. */
export function scrubSecrets(text: string): string {
  let scrubbed = text;
  for (const pattern of secretPatterns) {
    scrubbed = scrubbed.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' && prefix.startsWith('postgres') ? `${prefix}${REDACTED}@` : REDACTED,
    );
  }
  return scrubbed;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubSecrets(value.message), stack: value.stack && scrubSecrets(value.stack) };
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, depth + 1);
  return out;
}

/** Field paths whose value is always a secret. */
const redactPaths = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
];

/** Creates the root logger; modules take children with `logger.child({ module })`. */
export function createLogger(options: { level: string; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      name: options.name ?? 'release-conductor',
      level: options.level,
      redact: { paths: redactPaths, censor: REDACTED },
      serializers: { err: (error: unknown) => scrubValue(error, 0) },
      formatters: {
        log: (object) => scrubValue(object, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
