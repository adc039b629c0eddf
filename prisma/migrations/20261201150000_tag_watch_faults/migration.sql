-- The tag watcher never concludes from what it could not read (issue 13.7, 13.8).
-- Runs of a cut's earlier attempts: never taken for the current attempt's run.
ALTER TABLE "tag_releases" ADD COLUMN "earlierRunIds" BIGINT[] DEFAULT ARRAY[]::BIGINT[];
-- When GitHub stopped answering the watcher's looks at the release (null while it answers).
ALTER TABLE "tag_releases" ADD COLUMN "githubDownSince" TIMESTAMPTZ(3);
-- Seconds of the current state during which GitHub could not be read: its deadlines are pushed back by them.
ALTER TABLE "tag_releases" ADD COLUMN "githubDownSeconds" INTEGER NOT NULL DEFAULT 0;
