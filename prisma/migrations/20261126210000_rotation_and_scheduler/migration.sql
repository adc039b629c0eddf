-- CreateTable
CREATE TABLE "roster_members" (
    "slackUserId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "githubLogin" TEXT,
    "timeZone" TEXT,
    "emoji" TEXT,
    "position" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roster_members_pkey" PRIMARY KEY ("slackUserId")
);

-- CreateTable
CREATE TABLE "roster_skips" (
    "id" SERIAL NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "train" INTEGER,
    "fromDate" TEXT,
    "toDate" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roster_skips_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "train_assignments" (
    "train" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "rotationPick" TEXT,
    "deferred" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "announcedAt" TIMESTAMPTZ(3),
    "announcementChannel" TEXT,
    "announcementTs" TEXT,
    "confirmedAt" TIMESTAMPTZ(3),
    "confirmedBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "train_assignments_pkey" PRIMARY KEY ("train")
);

-- CreateTable
CREATE TABLE "app_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "app_state_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "job" TEXT NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "error" TEXT,

    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("job","scheduledAt")
);

-- CreateIndex
CREATE UNIQUE INDEX "roster_members_githubLogin_key" ON "roster_members"("githubLogin");

-- CreateIndex
CREATE INDEX "roster_members_position_idx" ON "roster_members"("position");

-- CreateIndex
CREATE INDEX "roster_skips_slackUserId_idx" ON "roster_skips"("slackUserId");

-- CreateIndex
CREATE INDEX "job_runs_status_idx" ON "job_runs"("status");

-- AddForeignKey
ALTER TABLE "roster_skips" ADD CONSTRAINT "roster_skips_slackUserId_fkey" FOREIGN KEY ("slackUserId") REFERENCES "roster_members"("slackUserId") ON DELETE CASCADE ON UPDATE CASCADE;
