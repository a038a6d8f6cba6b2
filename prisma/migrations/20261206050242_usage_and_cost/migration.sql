-- CreateTable
CREATE TABLE "UsageRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "bucketStart" DATETIME NOT NULL,
    "integrationId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcomeClass" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "attemptKind" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    CONSTRAINT "UsageRollup_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "UsagePrice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "integrationId" TEXT NOT NULL,
    "effectiveFrom" DATETIME NOT NULL,
    "currency" TEXT NOT NULL,
    "rules" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "UsagePrice_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "UsageRollup_integrationId_bucketStart_idx" ON "UsageRollup"("integrationId", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "UsageRollup_bucketStart_integrationId_route_outcomeClass_caller_attemptKind_environment_instance_key" ON "UsageRollup"("bucketStart", "integrationId", "route", "outcomeClass", "caller", "attemptKind", "environment", "instance");

-- CreateIndex
CREATE UNIQUE INDEX "UsagePrice_integrationId_effectiveFrom_key" ON "UsagePrice"("integrationId", "effectiveFrom");
