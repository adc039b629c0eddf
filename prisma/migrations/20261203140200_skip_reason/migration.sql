-- Why a member skips a train (issue 15 item 9): time away, or handed on at kickoff ("I can't, pick the next person").
-- Skips recorded before this column are time away.

-- AlterTable
ALTER TABLE "roster_skips" ADD COLUMN "reason" TEXT NOT NULL DEFAULT 'away';
