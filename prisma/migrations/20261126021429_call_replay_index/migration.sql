-- CreateIndex
CREATE INDEX "CallLog_replayOfId_idx" ON "CallLog"("replayOfId");
