-- Security releases and temporary stage deploys (issue 16).

-- CreateTable
CREATE TABLE "security_releases" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,
    "commit" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "taggedBy" TEXT NOT NULL,
    "issueUrl" TEXT,
    "ciReportedAt" TIMESTAMPTZ(3),
    "remindedAt" TIMESTAMPTZ(3),
    "upliftBy" TEXT,
    "upliftAllowedAt" TIMESTAMPTZ(3),
    "upliftPrUrl" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "security_releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stage_deploys" (
    "id" SERIAL NOT NULL,
    "tag" TEXT NOT NULL,
    "train" INTEGER NOT NULL,
    "commit" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "services" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL,
    "buildUrl" TEXT,
    "latestReleaseTag" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "replacedAt" TIMESTAMPTZ(3),

    CONSTRAINT "stage_deploys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "security_releases_tag_key" ON "security_releases"("tag");

-- CreateIndex
CREATE INDEX "security_releases_status_idx" ON "security_releases"("status");

-- CreateIndex
CREATE UNIQUE INDEX "stage_deploys_tag_key" ON "stage_deploys"("tag");

-- CreateIndex
CREATE INDEX "stage_deploys_replacedAt_idx" ON "stage_deploys"("replacedAt");
