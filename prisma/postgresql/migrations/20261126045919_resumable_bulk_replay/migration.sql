-- AlterTable
ALTER TABLE "ReplayRun" ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "resumes" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ReplayRunItem" (
    "runId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "callId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "replayId" TEXT,

    CONSTRAINT "ReplayRunItem_pkey" PRIMARY KEY ("runId","position")
);

-- CreateIndex
CREATE INDEX "ReplayRunItem_runId_state_idx" ON "ReplayRunItem"("runId", "state");

-- CreateIndex
CREATE INDEX "ReplayRun_state_idx" ON "ReplayRun"("state");

-- AddForeignKey
ALTER TABLE "ReplayRunItem" ADD CONSTRAINT "ReplayRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReplayRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Runs started before runs were resumable have no items to resume: they ended with their process.
UPDATE "ReplayRun" SET "state" = 'interrupted' WHERE "state" = 'running';
