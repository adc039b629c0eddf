-- CreateTable
CREATE TABLE "deploy_notes" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "forSre" BOOLEAN NOT NULL DEFAULT false,
    "authorSlackId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deploy_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reminder_messages" (
    "id" SERIAL NOT NULL,
    "train" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "channel" TEXT,
    "ts" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reminder_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "swept_pull_requests" (
    "train" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "authorLogin" TEXT,
    "authorSlackId" TEXT,
    "headSha" TEXT NOT NULL,
    "isDraft" BOOLEAN NOT NULL,
    "blockers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lastSweepAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "swept_pull_requests_pkey" PRIMARY KEY ("train","number")
);

-- CreateTable
CREATE TABLE "pull_request_answers" (
    "train" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "authorSlackId" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "headSha" TEXT NOT NULL,
    "answeredAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pull_request_answers_pkey" PRIMARY KEY ("train","number")
);

-- CreateIndex
CREATE INDEX "deploy_notes_train_idx" ON "deploy_notes"("train");

-- CreateIndex
CREATE UNIQUE INDEX "reminder_messages_train_kind_scheduledAt_recipient_key" ON "reminder_messages"("train", "kind", "scheduledAt", "recipient");
