-- Dot releases run by the bot (issue 14): the run's state machine on its plan.
ALTER TABLE "dot_releases"
    ADD COLUMN "runBy" TEXT,
    ADD COLUMN "runStartedAt" TIMESTAMPTZ(3),
    ADD COLUMN "runCommits" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "classified" JSONB,
    ADD COLUMN "trainHead" TEXT,
    ADD COLUMN "workBranch" TEXT,
    ADD COLUMN "picks" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "head" TEXT,
    ADD COLUMN "conflict" JSONB,
    ADD COLUMN "tagSha" TEXT,
    ADD COLUMN "failedIn" TEXT,
    ADD COLUMN "lastError" TEXT,
    ADD COLUMN "redone" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "forwardOf" INTEGER,
    ADD COLUMN "closedAt" TIMESTAMPTZ(3),
    ADD COLUMN "runVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "dot_releases_status_idx" ON "dot_releases"("status");
