-- AlterTable
ALTER TABLE "CallLog" ADD COLUMN "requestId" TEXT;

-- CreateIndex
CREATE INDEX "CallLog_requestId_idx" ON "CallLog"("requestId");
