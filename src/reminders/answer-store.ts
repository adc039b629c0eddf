/**
 * Answers are data: one row per (train, PR) in `pull_request_answers`, every
 * answer also in the audit log; and the open pull requests each sweep saw,
 * with their authors, in `swept_pull_requests`.
 */
import { recordAudit } from '../audit/audit-store';
import type { PrismaClient } from '../generated/prisma/client';

/** What an author can answer for a pull request. */
export type Answer = 'land' | 'roll' | 'unsure';

export const ANSWERS: readonly Answer[] = ['land', 'roll', 'unsure'];

/** The buttons' words. */
export const ANSWER_BUTTON_TEXT: Record<Answer, string> = {
  land: 'Will land in time',
  roll: 'Roll to next train',
  unsure: 'Not sure',
};

/** How an answer reads in summaries, with its emoji. */
export const ANSWER_TEXT: Record<Answer, string> = {
  land: ':white_check_mark: will land in time',
  roll: ':arrow_right: rolls to the next train',
  unsure: ':grey_question: not sure',
};

export function isAnswer(value: string): value is Answer {
  return (ANSWERS as readonly string[]).includes(value);
}

export interface StoredAnswer {
  train: number;
  number: number;
  authorSlackId: string;
  answer: Answer;
  headSha: string;
  answeredAt: Date;
}

export interface SweptPullRequest {
  train: number;
  number: number;
  title: string;
  url: string;
  authorLogin: string | null;
  authorSlackId: string | null;
  headSha: string;
  isDraft: boolean;
  blockers: string[];
  lastSweepAt: Date;
}

/** The answers of a train, by PR number. */
export async function loadAnswers(prisma: PrismaClient, train: number): Promise<Map<number, StoredAnswer>> {
  const rows = await prisma.pullRequestAnswer.findMany({ where: { train } });
  const answers = new Map<number, StoredAnswer>();
  for (const row of rows) {
    if (!isAnswer(row.answer)) continue;
    answers.set(row.number, { ...row, answer: row.answer });
  }
  return answers;
}

/** The pull requests the sweeps of a train saw, oldest number first. */
export async function loadSweptPullRequests(prisma: PrismaClient, train: number): Promise<SweptPullRequest[]> {
  return prisma.sweptPullRequest.findMany({ where: { train }, orderBy: { number: 'asc' } });
}

/** Records what a sweep saw: every open PR of the train, with its author's Slack user. */
export async function recordSweptPullRequests(options: {
  prisma: PrismaClient;
  train: number;
  sweptAt: Date;
  now: Date;
  pullRequests: Array<Omit<SweptPullRequest, 'train' | 'lastSweepAt'>>;
}): Promise<void> {
  const { prisma, train, sweptAt, now } = options;
  await prisma.$transaction(
    options.pullRequests.map((pr) =>
      prisma.sweptPullRequest.upsert({
        where: { train_number: { train, number: pr.number } },
        create: { ...pr, train, lastSweepAt: sweptAt, createdAt: now, updatedAt: now },
        update: { ...pr, lastSweepAt: sweptAt, updatedAt: now },
      }),
    ),
  );
}

/**
 * Stores an answer and audits it, in one transaction. Returns false when it
 * changes nothing (the same answer about the same commit: a double click).
 */
export async function recordAnswer(options: {
  prisma: PrismaClient;
  train: number;
  number: number;
  authorSlackId: string;
  answer: Answer;
  headSha: string;
  now: Date;
}): Promise<{ changed: boolean; previous: Answer | null }> {
  const { prisma, train, number, authorSlackId, answer, headSha, now } = options;
  return prisma.$transaction(async (tx) => {
    const before = await tx.$queryRaw<Array<{ answer: string }>>`
      SELECT "answer" FROM "pull_request_answers" WHERE "train" = ${train} AND "number" = ${number} FOR UPDATE`;
    const previousText = before[0]?.answer ?? null;
    const previous = previousText !== null && isAnswer(previousText) ? previousText : null;
    // A concurrent first answer is settled by the primary key: the later insert
    // becomes a conditional update, which changes nothing when it is the same answer.
    const written = await tx.$queryRaw<Array<{ number: number }>>`
      INSERT INTO "pull_request_answers" ("train", "number", "authorSlackId", "answer", "headSha", "answeredAt", "createdAt")
      VALUES (${train}, ${number}, ${authorSlackId}, ${answer}, ${headSha}, ${now}, ${now})
      ON CONFLICT ("train", "number") DO UPDATE
         SET "answer" = EXCLUDED."answer", "headSha" = EXCLUDED."headSha", "answeredAt" = EXCLUDED."answeredAt",
             "authorSlackId" = EXCLUDED."authorSlackId"
       WHERE "pull_request_answers"."answer" <> EXCLUDED."answer" OR "pull_request_answers"."headSha" <> EXCLUDED."headSha"
      RETURNING "number"`;
    if (written.length === 0) return { changed: false, previous };
    await recordAudit(tx, {
      actor: authorSlackId,
      action: 'reminders.answer',
      subject: `pr:${number}`,
      details: { train, answer, headSha, previous },
      at: now,
    });
    return { changed: true, previous };
  });
}

// Reads for answering a pull request and the dashboard's change fingerprint.

/** What the sweeps of `train` saw of pull request `number`, or null when none saw it. */
export async function findSweptPullRequest(options: {
  prisma: PrismaClient;
  train: number;
  number: number;
}): Promise<SweptPullRequest | null> {
  return options.prisma.sweptPullRequest.findUnique({ where: { train_number: { train: options.train, number: options.number } } });
}

/** The answers' part of the dashboard's change fingerprint (src/status/status-store.ts). */
export const ANSWERS_FINGERPRINT = [{ table: 'pull_request_answers', changedAt: ['answeredAt'] }] as const;
