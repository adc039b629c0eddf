-- The cut after the tag (issue 15 items 1, 4, 7): CI re-runs, visible milestones, QA and production.
-- CI rounds seen on the tag (a re-run after a failure adds one) and the check run read last.
ALTER TABLE "tag_releases" ADD COLUMN "ciRound" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "tag_releases" ADD COLUMN "ciCheckId" BIGINT;
-- Who asked for a re-run of the failed CI, when, and for which round.
ALTER TABLE "tag_releases" ADD COLUMN "rerunBy" TEXT;
ALTER TABLE "tag_releases" ADD COLUMN "rerunAt" TIMESTAMPTZ(3);
ALTER TABLE "tag_releases" ADD COLUMN "rerunRound" INTEGER;
-- When the release reached stage and production.
ALTER TABLE "tag_releases" ADD COLUMN "onStageAt" TIMESTAMPTZ(3);
ALTER TABLE "tag_releases" ADD COLUMN "productionAt" TIMESTAMPTZ(3);
ALTER TABLE "tag_releases" ADD COLUMN "productionVersion" TEXT;
-- A notice that is also a milestone for the channel.
ALTER TABLE "tag_release_notices" ADD COLUMN "milestone" TEXT;

-- QA's sign-offs of trains on stage.
CREATE TABLE "qa_signoffs" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "colour" TEXT NOT NULL,
    "note" TEXT,
    "by" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "qa_signoffs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "qa_signoffs_train_idx" ON "qa_signoffs"("train");
