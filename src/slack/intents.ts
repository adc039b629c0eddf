/**
 * Acked work is durable (issue 13, reproduction 6). Slack never re-sends a
 * request it saw acked, so a mutating request (a subcommand or button that
 * changes something: see `Subcommand.mutates` and `Feature.durableButtons`)
 * is recorded as an intent (intent-ledger.ts) BEFORE its ack, with what is
 * needed to run it again. The ack waits for that one insert; read-only
 * requests (`/release status`, `help`, `rotation show`…) pay nothing.
 *
 * - The intent is the delivery's claim: a retried or doubled delivery finds
 *   it and does nothing (`currentIntent().duplicate`, checked by afterAck).
 * - afterAck marks it done once the work has answered (or the person was told
 *   the bot is busy, or what went wrong).
 * - `recoverIntents` (on start and on the scheduler's minute tick, any
 *   replica) claims the intents still pending a lease after their last
 *   attempt started (their process died) and runs them again through the
 *   same listener, answering through the stored response_url (valid 30
 *   minutes).
 * - From the work's admission (`keepLease`, in afterAck: it may wait in the
 *   work queue) until it settles, its attempt renews the lease every third of
 *   it, so work queued or running longer than the lease (a dot release) is
 *   not run again by this or another replica while it is alive; a
 *   process that dies stops renewing, and its intent is recovered a lease
 *   later. The renewal stops when the work ends, the intent is finished, or
 *   another attempt took it over (the process hung past the lease).
 *
 * Replays are idempotent by the intent's key, wherever the process died:
 * - the change: a note carries its intent's key; a rotation edit marks its
 *   key in its own transaction (`claimIntentEffect`: a replay after the
 *   commit changes nothing again and answers as the first attempt would);
 *   the decisions, the kickoff answer, the PR answers and the tagging buttons
 *   are conditional updates; posts go through the message ledger's keys.
 * - the answer: each answer of the work is claimed (its number, in order)
 *   on the intent's row before it is posted (`answerOnce`), so a replay after
 *   the work answered posts nothing again. A process killed between the claim
 *   and the post leaves that answer unsent (at most once: a response_url
 *   answer cannot be looked up afterwards).
 *
 * Modal submissions need no intent: their work runs before their ack (the
 * ack carries the outcome), so an acked submission is already committed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RespondArguments } from '@slack/bolt';
import type { SqlPort } from '../db/database';
import type { Logger } from '../logger';
import type { ScheduledJob } from '../scheduler';
import { answerAsResponse, postToResponseUrl } from './response-url';
import {
  claimAnswer,
  claimStaleIntents,
  finishIntent,
  type IntentKind,
  pruneIntents,
  recordIntent,
  renewIntentLease,
} from './intent-ledger';

/** How long an attempt may run before another replica takes the intent over (default; INTENT_LEASE_SECONDS). */
export const DEFAULT_INTENT_LEASE_MS = 30_000;

/** The lease of the configuration (`INTENT_LEASE_SECONDS`), in ms. */
export function intentLeaseMs(env: IntentDeps['config']['env']): number {
  return (env.INTENT_LEASE_SECONDS ?? DEFAULT_INTENT_LEASE_MS / 1000) * 1000;
}

/** Attempts before an intent is given up (and logged as an error). */
export const MAX_INTENT_ATTEMPTS = 5;
/** Finished intents are kept this long, as claims against late retries. */
const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;

export interface IntentScope {
  key: string;
  /** The delivery was recorded before: do nothing. */
  duplicate: boolean;
  /** Marks the intent done (idempotent; a failure is logged, and the intent is replayed after its lease). */
  finish(): Promise<void>;
  /**
   * `respond`, posting each answer at most once across attempts: the answer's number is claimed on the
   * intent before it is posted, and an answer an earlier attempt claimed is skipped (logged).
   */
  answerOnce<M>(respond: (message: M) => Promise<unknown>): (message: M) => Promise<unknown>;
  /**
   * Starts renewing this attempt's lease every third of it (nothing with a lease of 0), until the returned stop is
   * called or the intent is finished, so that no replica runs the intent again while its work is alive, queued or
   * running. Without a recorded intent yet (its insert was slower than the ack's limit) the renewal starts once the
   * insert lands.
   */
  keepLease(): () => void;
}

const scope = new AsyncLocalStorage<IntentScope>();

/** The attempt a recovery claimed (set around its replayer, read by the replay's `runDurably`). */
const claimedAttempt = new AsyncLocalStorage<{ attempt: number }>();

/** The ack waits at most this long for the intent (Slack wants the ack within 3 s; a hanging database must not hold it). */
const RECORD_TIMEOUT_MS = 1_000;

/** The database did not answer within the limit (the statement may still commit later). */
class NoAnswerInTime extends Error {}

/** `work`'s value, or a rejection (NoAnswerInTime) after `ms`. */
async function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerInTime(`no answer from the database within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The intent of the request being handled (set while a durable listener runs), if any. */
export function currentIntent(): IntentScope | undefined {
  return scope.getStore();
}

export interface IntentDeps {
  db: { sql: SqlPort };
  now: () => Date;
  logger: Logger;
  config: { env: { INTENT_LEASE_SECONDS?: number | undefined } };
}

/**
 * Runs a listener so that its `ack()` first records the intent `key` (a
 * duplicate is acked and skipped by afterAck), and its afterAck marks the
 * intent done. `replay` runs an intent claimed again: nothing is recorded.
 * The listener is given the ack to use in place of Bolt's, and the intent (to wrap its `respond` in `answerOnce`).
 */
export async function runDurably(
  options: { deps: IntentDeps; key: string; kind: IntentKind; payload: unknown; replay?: boolean },
  boltAck: () => Promise<void>,
  listener: (ack: () => Promise<void>, intent: IntentScope) => Promise<void>,
): Promise<void> {
  const { deps, key } = options;
  const logger = deps.logger.child({ module: 'intents' });
  // Whether the intent's row exists (a replay's does; a fresh one once recorded): without it answers are not claimed.
  let recorded = options.replay === true;
  let answers = 0;
  // The attempt this run is (a fresh intent is the first); a replay's is the one its recovery claimed.
  const attempt = options.replay ? claimedAttempt.getStore()?.attempt : 1;
  let finished = false;
  // Whether the work wants the lease kept (from its admission until it settles), and the renewal running for it.
  let leaseWanted = false;
  let stopRenewing: (() => void) | undefined;
  const leaseMs = intentLeaseMs(deps.config.env);
  const startRenewing = () => {
    if (stopRenewing || !leaseWanted || !recorded || state.duplicate || finished || leaseMs <= 0) return;
    stopRenewing = renewEvery({ deps, key, attempt, everyMs: leaseMs / 3, done: () => finished, logger });
  };
  // The insert landed after the ack had gone on without it: the row now exists, pending. Its answers are claimed
  // from now on, its lease is kept while the work is alive, and it is marked done if the work has finished already
  // (the finish before found no row): otherwise it would be replayed a lease later, the first run still alive or done.
  const recordedLate = (fresh: boolean) => {
    if (!fresh) {
      logger.warn({ key }, 'the intent of a mutating request was recorded late, by another delivery; this run goes on without it');
      return;
    }
    recorded = true;
    logger.info({ key }, 'the intent of a mutating request was recorded late');
    if (finished) void state.finish();
    else startRenewing();
  };
  const state: IntentScope = {
    key,
    duplicate: false,
    finish: () => {
      finished = true;
      return finishIntent({ sql: deps.db.sql, key, status: 'done', now: deps.now() }).catch((error: unknown) =>
        logger.warn({ err: error, key }, 'could not mark an intent done; it will be replayed after its lease'),
      );
    },
    keepLease: () => {
      leaseWanted = true;
      startRenewing();
      return () => {
        leaseWanted = false;
        stopRenewing?.();
        stopRenewing = undefined;
      };
    },
    answerOnce: (respond) => async (message) => {
      answers += 1;
      if (!recorded) return respond(message);
      let first: boolean;
      try {
        first = await claimAnswer({ sql: deps.db.sql, key, n: answers });
      } catch (error) {
        // The database fails: the person is told anyway (what went wrong, most likely); a replay may say it again.
        logger.warn({ err: error, key }, 'could not claim the answer of an intent; answering without the claim');
        return respond(message);
      }
      if (!first) {
        logger.info({ key, answer: answers }, 'an earlier attempt of this intent gave this answer already; not posted again');
        return undefined;
      }
      return respond(message);
    },
  };
  const ack = async (): Promise<void> => {
    if (!options.replay) {
      const insert = recordIntent({ sql: deps.db.sql, key, kind: options.kind, payload: options.payload, now: deps.now() });
      try {
        const fresh = await withinMs(RECORD_TIMEOUT_MS, insert);
        recorded = fresh;
        if (!fresh) {
          state.duplicate = true;
          logger.info({ key }, 'duplicate delivery of a mutating request ignored');
        }
      } catch (error) {
        // The database is unreachable or hangs: the work cannot commit either; it runs and tells the person so.
        logger.warn({ err: error, key }, 'could not record the intent of a mutating request; it runs without one');
        // A slow insert may still commit.
        if (error instanceof NoAnswerInTime)
          insert.then(recordedLate, (late: unknown) => logger.warn({ err: late, key }, 'the late insert of an intent failed'));
      }
    }
    await boltAck();
  };
  await scope.run(state, () => listener(ack, state));
}

/**
 * Renews the lease of attempt `attempt` of intent `key` every `everyMs` until the returned stop is called, `done()`
 * says the intent is finished, or the renewal finds the intent finished or taken over by another attempt. The timer
 * keeps no process alive; a renewal that fails is logged and tried again at the next beat.
 */
function renewEvery(options: {
  deps: IntentDeps;
  key: string;
  attempt: number | undefined;
  everyMs: number;
  done: () => boolean;
  logger: Logger;
}): () => void {
  const { deps, key, attempt, logger } = options;
  let renewing = false;
  const timer = setInterval(() => {
    if (options.done()) return clearInterval(timer);
    if (renewing) return;
    renewing = true;
    renewIntentLease({ sql: deps.db.sql, key, attempt, now: deps.now() })
      .then(
        (held) => {
          if (held) return;
          clearInterval(timer);
          if (!options.done()) logger.warn({ key, attempt }, 'another attempt took this intent over; no longer renewing its lease');
        },
        (error: unknown) => logger.warn({ err: error, key }, 'could not renew the lease of an intent; trying again'),
      )
      .finally(() => {
        renewing = false;
      });
  }, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Answers through a response_url, as Bolt's `respond` does (for a replay, when Bolt's arguments are gone). */
export function responderFor(responseUrl: string): (message: string | RespondArguments) => Promise<Response> {
  return async (message) => {
    const answer = await postToResponseUrl({
      url: responseUrl,
      body: JSON.stringify(typeof message === 'string' ? { text: message } : message),
    });
    if (answer.status < 200 || answer.status >= 300) throw new Error(`response_url answered HTTP ${answer.status}`);
    return answerAsResponse(answer);
  };
}

/** Runs one claimed intent again (by kind); throws when its payload cannot be read. */
export type IntentReplayers = Record<IntentKind, (payload: unknown, receivedAt: Date) => Promise<void>>;

/**
 * Claims the intents left pending by a process that died (or hangs past the
 * lease) and runs them again; gives up, with an error in the log, after
 * MAX_INTENT_ATTEMPTS. Also forgets finished intents older than a day.
 * Returns how many it replayed.
 */
export async function recoverIntents(options: { deps: IntentDeps; replayers: IntentReplayers; leaseMs: number }): Promise<number> {
  const { deps, replayers, leaseMs } = options;
  const logger = deps.logger.child({ module: 'intents' });
  const now = deps.now();
  await pruneIntents({ sql: deps.db.sql, before: new Date(now.getTime() - KEEP_FINISHED_MS) });
  let replayed = 0;
  for (;;) {
    const claimed = await claimStaleIntents({ sql: deps.db.sql, now, leaseMs, limit: 50 });
    for (const intent of claimed) {
      if (intent.attempts > MAX_INTENT_ATTEMPTS) {
        logger.error({ key: intent.key, attempts: intent.attempts - 1 }, 'an acked request failed every attempt; given up');
        await finishIntent({ sql: deps.db.sql, key: intent.key, status: 'abandoned', now });
        continue;
      }
      logger.warn({ key: intent.key, attempt: intent.attempts }, 'finishing an acked request left unfinished');
      try {
        await claimedAttempt.run({ attempt: intent.attempts }, () => replayers[intent.kind](intent.payload, intent.receivedAt));
        replayed += 1;
      } catch (error) {
        logger.error({ err: error, key: intent.key }, 'an unfinished request could not be run again; given up');
        await finishIntent({ sql: deps.db.sql, key: intent.key, status: 'abandoned', now });
      }
    }
    if (claimed.length < 50) return replayed;
  }
}

const MINUTE_MS = 60_000;

/** On every minute: finish what a dead replica acked (`recover` is `recoverIntents` with the app's replayers). */
export function createRecoverIntentsJob<Deps>(recover: () => Promise<void>): ScheduledJob<Deps> {
  return {
    name: 'recover-slack-intents',
    graceMs: MINUTE_MS,
    // A missed minute is made up by the next one.
    lookbackMs: MINUTE_MS,
    firesBetween(from, to) {
      const fires: Date[] = [];
      for (let t = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS; t <= to.getTime(); t += MINUTE_MS)
        fires.push(new Date(t));
      return fires;
    },
    run: () => recover(),
  };
}
