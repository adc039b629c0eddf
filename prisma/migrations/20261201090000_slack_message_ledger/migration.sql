-- One message ledger for every feature: the reminders' ledger becomes the general one,
-- keyed by a string; its rows move over with the key the reminders now use
-- ("reminders:<kind>:<train>:<scheduledAt, ISO 8601 UTC>:<recipient>").

-- CreateTable
CREATE TABLE "slack_messages" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "train" INTEGER,
    "kind" TEXT,
    "scheduledAt" TIMESTAMPTZ(3),
    "recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "channel" TEXT,
    "ts" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slack_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "slack_messages_key_key" ON "slack_messages"("key");

-- CreateIndex
CREATE INDEX "slack_messages_train_kind_idx" ON "slack_messages"("train", "kind");

-- Move the reminders' rows, ids and all (their order is that of their ids).
INSERT INTO "slack_messages" ("id", "key", "train", "kind", "scheduledAt", "recipient", "status", "channel", "ts", "error", "createdAt", "updatedAt")
SELECT "id",
       'reminders:' || "kind" || ':' || "train" || ':' || to_char("scheduledAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ':' || "recipient",
       "train", "kind", "scheduledAt", "recipient", "status", "channel", "ts", "error", "createdAt", "updatedAt"
FROM "reminder_messages";

SELECT setval(pg_get_serial_sequence('"slack_messages"', 'id'), COALESCE((SELECT MAX("id") FROM "slack_messages"), 0) + 1, false);

-- DropTable
DROP TABLE "reminder_messages";
