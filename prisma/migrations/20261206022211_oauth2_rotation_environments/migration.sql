-- CreateTable
CREATE TABLE "EnvironmentSwitch" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "integrationId" TEXT NOT NULL,
    "fromEnvironment" TEXT NOT NULL,
    "toEnvironment" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EnvironmentSwitch_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CallLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT,
    "integrationId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "durationMs" REAL NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER,
    "outcome" TEXT NOT NULL,
    "errorType" TEXT,
    "attemptCount" INTEGER NOT NULL,
    "upstreamRequestId" TEXT,
    "traceId" TEXT,
    "keptBecause" TEXT NOT NULL,
    "requestHeaders" TEXT NOT NULL DEFAULT '{}',
    "responseHeaders" TEXT NOT NULL DEFAULT '{}',
    "requestBody" TEXT,
    "responseBody" TEXT,
    "replayOfId" TEXT,
    "environment" TEXT NOT NULL DEFAULT 'production',
    "credential" TEXT,
    CONSTRAINT "CallLog_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CallLog" ("attemptCount", "durationMs", "errorType", "id", "integrationId", "keptBecause", "method", "outcome", "path", "replayOfId", "requestBody", "requestHeaders", "requestId", "responseBody", "responseHeaders", "route", "startedAt", "status", "traceId", "upstreamRequestId") SELECT "attemptCount", "durationMs", "errorType", "id", "integrationId", "keptBecause", "method", "outcome", "path", "replayOfId", "requestBody", "requestHeaders", "requestId", "responseBody", "responseHeaders", "route", "startedAt", "status", "traceId", "upstreamRequestId" FROM "CallLog";
DROP TABLE "CallLog";
ALTER TABLE "new_CallLog" RENAME TO "CallLog";
CREATE INDEX "CallLog_integrationId_startedAt_idx" ON "CallLog"("integrationId", "startedAt");
CREATE INDEX "CallLog_startedAt_idx" ON "CallLog"("startedAt");
CREATE INDEX "CallLog_upstreamRequestId_idx" ON "CallLog"("upstreamRequestId");
CREATE INDEX "CallLog_requestId_idx" ON "CallLog"("requestId");
CREATE INDEX "CallLog_replayOfId_idx" ON "CallLog"("replayOfId");
CREATE INDEX "CallLog_integrationId_credential_startedAt_idx" ON "CallLog"("integrationId", "credential", "startedAt");
CREATE TABLE "new_Integration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "authScheme" TEXT NOT NULL DEFAULT 'none',
    "authHeader" TEXT,
    "secretEnv" TEXT,
    "secondarySecretEnv" TEXT,
    "sandbox" TEXT,
    "activeEnvironment" TEXT NOT NULL DEFAULT 'production',
    "oauth2" TEXT,
    "policy" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "bodyCapture" TEXT NOT NULL DEFAULT 'redacted'
);
INSERT INTO "new_Integration" ("authHeader", "authScheme", "baseUrl", "bodyCapture", "createdAt", "id", "name", "policy", "secretEnv", "slug", "updatedAt") SELECT "authHeader", "authScheme", "baseUrl", "bodyCapture", "createdAt", "id", "name", "policy", "secretEnv", "slug", "updatedAt" FROM "Integration";
DROP TABLE "Integration";
ALTER TABLE "new_Integration" RENAME TO "Integration";
CREATE UNIQUE INDEX "Integration_slug_key" ON "Integration"("slug");
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
    CONSTRAINT "MetricRollup_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MetricRollup" ("bucketSeconds", "bucketStart", "cacheHits", "cacheMisses", "count", "id", "instance", "integrationId", "latencyHist", "latencyMaxMs", "latencySumMs", "outcomeClass", "rateLimitRejections", "rateLimitWaits", "retries", "route") SELECT "bucketSeconds", "bucketStart", "cacheHits", "cacheMisses", "count", "id", "instance", "integrationId", "latencyHist", "latencyMaxMs", "latencySumMs", "outcomeClass", "rateLimitRejections", "rateLimitWaits", "retries", "route" FROM "MetricRollup";
DROP TABLE "MetricRollup";
ALTER TABLE "new_MetricRollup" RENAME TO "MetricRollup";
CREATE INDEX "MetricRollup_integrationId_bucketStart_idx" ON "MetricRollup"("integrationId", "bucketStart");
CREATE INDEX "MetricRollup_bucketStart_idx" ON "MetricRollup"("bucketStart");
CREATE UNIQUE INDEX "MetricRollup_bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_environment_key" ON "MetricRollup"("bucketStart", "bucketSeconds", "integrationId", "route", "outcomeClass", "instance", "environment");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "EnvironmentSwitch_integrationId_at_idx" ON "EnvironmentSwitch"("integrationId", "at");
