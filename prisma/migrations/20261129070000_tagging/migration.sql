-- CreateTable
CREATE TABLE "tag_releases" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "patch" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "sourceSha" TEXT,
    "dispatchedAt" TIMESTAMPTZ(3),
    "dispatchUncertain" BOOLEAN NOT NULL DEFAULT false,
    "runId" BIGINT,
    "runUrl" TEXT,
    "runStatus" TEXT,
    "runConclusion" TEXT,
    "tagSha" TEXT,
    "ciStatus" TEXT,
    "ciConclusion" TEXT,
    "ciUrl" TEXT,
    "ciFailures" JSONB NOT NULL DEFAULT '[]',
    "flakyBy" TEXT,
    "flakyAt" TIMESTAMPTZ(3),
    "issueBy" TEXT,
    "issueNumber" INTEGER,
    "issueUrl" TEXT,
    "imageDispatchedAt" TIMESTAMPTZ(3),
    "imageRunId" BIGINT,
    "imageRunUrl" TEXT,
    "imageConclusion" TEXT,
    "stageVersion" TEXT,
    "stateSince" TIMESTAMPTZ(3) NOT NULL,
    "nextCheckAt" TIMESTAMPTZ(3),
    "polls" INTEGER NOT NULL DEFAULT 0,
    "overdueReportedAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tag_releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tag_release_notices" (
    "id" SERIAL NOT NULL,
    "releaseId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "blocks" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "claimedAt" TIMESTAMPTZ(3),
    "postedAt" TIMESTAMPTZ(3),
    "ts" TEXT,

    CONSTRAINT "tag_release_notices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "train_threads" (
    "train" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "ts" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "train_threads_pkey" PRIMARY KEY ("train")
);

-- CreateIndex
CREATE UNIQUE INDEX "tag_releases_tag_key" ON "tag_releases"("tag");

-- CreateIndex
CREATE INDEX "tag_releases_nextCheckAt_idx" ON "tag_releases"("nextCheckAt");

-- CreateIndex
CREATE UNIQUE INDEX "tag_releases_train_patch_key" ON "tag_releases"("train", "patch");

-- CreateIndex
CREATE INDEX "tag_release_notices_postedAt_idx" ON "tag_release_notices"("postedAt");

-- CreateIndex
CREATE UNIQUE INDEX "tag_release_notices_releaseId_key_key" ON "tag_release_notices"("releaseId", "key");

-- AddForeignKey
ALTER TABLE "tag_release_notices" ADD CONSTRAINT "tag_release_notices_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "tag_releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
