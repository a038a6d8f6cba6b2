-- CreateIndex
CREATE INDEX "WebhookEvent_jobId_idx" ON "WebhookEvent"("jobId");
