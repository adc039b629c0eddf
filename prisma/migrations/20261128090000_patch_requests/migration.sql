-- CreateTable
CREATE TABLE "patch_requests" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "justification" TEXT NOT NULL,
    "bugUrl" TEXT,
    "impact" TEXT,
    "verifiedOnMain" BOOLEAN NOT NULL,
    "rawItems" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "viewId" TEXT NOT NULL,
    "trainWhere" TEXT NOT NULL,
    "ownerAtRequest" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "decidedBy" TEXT,
    "decisionReason" TEXT,
    "outcomeSentAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),
    "ownerChannel" TEXT,
    "ownerTs" TEXT,
    "teamChannel" TEXT,
    "teamTs" TEXT,
    "requesterChannel" TEXT,
    "requesterTs" TEXT,
    "ownerRemindedAt" TIMESTAMPTZ(3),
    "adminsRemindedAt" TIMESTAMPTZ(3),
    "dotReleaseId" INTEGER,

    CONSTRAINT "patch_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patch_request_commits" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "train" INTEGER NOT NULL,
    "sha" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "pullRequest" INTEGER,
    "input" TEXT NOT NULL,
    "mainOrder" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "patch_request_commits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patch_decisions" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "text" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "patch_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dot_releases" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "patch" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "openTrain" INTEGER,
    "plannedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "announcedVersion" INTEGER NOT NULL DEFAULT 0,
    "announcementChannel" TEXT,
    "announcementTs" TEXT,

    CONSTRAINT "dot_releases_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "patch_requests_viewId_key" ON "patch_requests"("viewId");

-- CreateIndex
CREATE INDEX "patch_requests_train_status_idx" ON "patch_requests"("train", "status");

-- CreateIndex
CREATE INDEX "patch_requests_status_createdAt_idx" ON "patch_requests"("status", "createdAt");

-- CreateIndex
CREATE INDEX "patch_request_commits_train_sha_idx" ON "patch_request_commits"("train", "sha");

-- CreateIndex
CREATE UNIQUE INDEX "patch_request_commits_requestId_sha_key" ON "patch_request_commits"("requestId", "sha");

-- CreateIndex
CREATE INDEX "patch_decisions_requestId_idx" ON "patch_decisions"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "dot_releases_tag_key" ON "dot_releases"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "dot_releases_openTrain_key" ON "dot_releases"("openTrain");

-- CreateIndex
CREATE UNIQUE INDEX "dot_releases_train_patch_key" ON "dot_releases"("train", "patch");

-- AddForeignKey
ALTER TABLE "patch_requests" ADD CONSTRAINT "patch_requests_dotReleaseId_fkey" FOREIGN KEY ("dotReleaseId") REFERENCES "dot_releases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patch_request_commits" ADD CONSTRAINT "patch_request_commits_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "patch_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patch_decisions" ADD CONSTRAINT "patch_decisions_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "patch_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
