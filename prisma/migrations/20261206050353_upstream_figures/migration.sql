-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MetricRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "bucketStart" DATETIME NOT NULL,
    "bucketSeconds" INTEGER NOT NULL,
    "integrationId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcomeClass" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'production',
    "count" INTEGER NOT NULL,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "cacheMisses" INTEGER NOT NULL DEFAULT 0,
    "rateLimitWaits" INTEGER NOT NULL DEFAULT 0,
    "rateLimitRejections" INTEGER NOT NULL DEFAULT 0,
    "latencySumMs" REAL NOT NULL,
    "latencyMaxMs" REAL NOT NULL,
    "latencyHist" TEXT NOT NULL,
    "secondaryCredential" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "attemptErrors" INTEGER NOT NULL DEFAULT 0,
    "attemptHist" TEXT NOT NULL DEFAULT '{"z":0,"b":{}}',
    "shortCircuits" INTEGER NOT NULL DEFAULT 0,
    "staleServed" INTEGER NOT NULL DEFAULT 0,
    "fallbacks" INTEGER NOT NULL DEFAULT 0,
    "probes" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "MetricRollup_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MetricRollup" ("bucketSeconds", "bucketStart", "cacheHits", "cacheMisses", "count", "environment", "id", "instance", "integrationId", "latencyHist", "latencyMaxMs", "latencySumMs", "outcomeClass", "rateLimitRejections", "rateLimitWaits", "retries", "route", "secondaryCredential") SELECT "bucketSeconds", "bucketStart", "cacheHits", "cacheMisses", "count", "environment", "id", "instance", "integrationId", "latencyHist", "latencyMaxMs", "latencySumMs", "outcomeClass", "rateLimitRejections", "rateLimitWaits", "retries", "route", "secondaryCredential" FROM "MetricRollup";
DROP TABLE "MetricRollup";
ALTER TABLE "new_MetricRollup" RENAME TO "MetricRollup";
CREATE INDEX "MetricRollup_integrationId_bucketStart_idx" ON "MetricRollup"("integrationId", "bucketStart");
CREATE INDEX "MetricRollup_bucketStart_idx" ON "MetricRollup"("bucketStart");
CREATE UNIQUE INDEX "MetricRollup_bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_environment_key" ON "MetricRollup"("bucketStart", "bucketSeconds", "integrationId", "route", "outcomeClass", "instance", "environment");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
