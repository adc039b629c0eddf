-- Durable intents (issue 13, reproduction 6): a mutating Slack request (a command or
-- a button that changes something) is recorded here before its ack, so that a replica
-- restarted after a crash finishes the work; the row is also the delivery's claim.

-- CreateTable
CREATE TABLE "slack_intents" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL,
    "doneAt" TIMESTAMPTZ(3),

    CONSTRAINT "slack_intents_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "slack_intents_status_claimedAt_idx" ON "slack_intents"("status", "claimedAt");

-- AlterTable: a note added by an intent carries its key, so that a replay adds it once.
ALTER TABLE "deploy_notes" ADD COLUMN "intentKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "deploy_notes_intentKey_key" ON "deploy_notes"("intentKey");
