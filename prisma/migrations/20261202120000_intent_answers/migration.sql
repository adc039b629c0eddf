-- Replays after a kill past the work (issue 13): an intent's answers are claimed one by one
-- before they are posted (a replay posts only those not claimed yet), and a change it
-- committed is marked in the change's own transaction (a replay does not change again).

-- AlterTable
ALTER TABLE "slack_intents" ADD COLUMN "answers" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "slack_intent_effects" (
    "key" TEXT NOT NULL,
    "appliedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slack_intent_effects_pkey" PRIMARY KEY ("key")
);
