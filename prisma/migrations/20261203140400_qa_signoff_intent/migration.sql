-- QA's sign-off is durable (issue 13: acked work survives a SIGKILL): a sign-off recorded by a durable request
-- carries its intent's key, so that a replay of the request finds it instead of recording (and announcing) a second.

-- AlterTable
ALTER TABLE "qa_signoffs" ADD COLUMN "intentKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "qa_signoffs_intentKey_key" ON "qa_signoffs"("intentKey");
