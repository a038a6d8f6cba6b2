-- CreateTable
CREATE TABLE "ReplayRunItem" (
    "runId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "callId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "replayId" TEXT,

    PRIMARY KEY ("runId", "position"),
    CONSTRAINT "ReplayRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReplayRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ReplayRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "filter" TEXT NOT NULL,
    "idempotency" TEXT NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" DATETIME,
    "resumes" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);
INSERT INTO "new_ReplayRun" ("concurrency", "createdAt", "failed", "filter", "finishedAt", "id", "idempotency", "refused", "state", "succeeded", "total") SELECT "concurrency", "createdAt", "failed", "filter", "finishedAt", "id", "idempotency", "refused", "state", "succeeded", "total" FROM "ReplayRun";
DROP TABLE "ReplayRun";
ALTER TABLE "new_ReplayRun" RENAME TO "ReplayRun";
CREATE INDEX "ReplayRun_state_idx" ON "ReplayRun"("state");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ReplayRunItem_runId_state_idx" ON "ReplayRunItem"("runId", "state");

-- Runs started before runs were resumable have no items to resume: they ended with their process.
UPDATE "ReplayRun" SET "state" = 'interrupted' WHERE "state" = 'running';
