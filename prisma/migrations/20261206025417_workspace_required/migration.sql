-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AlertChannel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT,
    "secretEnv" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AlertChannel_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AlertChannel" ("createdAt", "enabled", "id", "kind", "name", "secretEnv", "url", "workspaceId") SELECT "createdAt", "enabled", "id", "kind", "name", "secretEnv", "url", "workspaceId" FROM "AlertChannel";
DROP TABLE "AlertChannel";
ALTER TABLE "new_AlertChannel" RENAME TO "AlertChannel";
CREATE INDEX "AlertChannel_workspaceId_idx" ON "AlertChannel"("workspaceId");
CREATE UNIQUE INDEX "AlertChannel_workspaceId_name_key" ON "AlertChannel"("workspaceId", "name");
CREATE TABLE "new_AlertNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "ruleName" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "summary" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "deliveries" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "AlertNotification_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AlertNotification" ("at", "deliveries", "id", "payload", "ruleId", "ruleName", "status", "summary", "workspaceId") SELECT "at", "deliveries", "id", "payload", "ruleId", "ruleName", "status", "summary", "workspaceId" FROM "AlertNotification";
DROP TABLE "AlertNotification";
ALTER TABLE "new_AlertNotification" RENAME TO "AlertNotification";
CREATE INDEX "AlertNotification_at_idx" ON "AlertNotification"("at");
CREATE INDEX "AlertNotification_workspaceId_idx" ON "AlertNotification"("workspaceId");
CREATE TABLE "new_AlertRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AlertRule_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AlertRule" ("config", "createdAt", "enabled", "id", "name", "updatedAt", "workspaceId") SELECT "config", "createdAt", "enabled", "id", "name", "updatedAt", "workspaceId" FROM "AlertRule";
DROP TABLE "AlertRule";
ALTER TABLE "new_AlertRule" RENAME TO "AlertRule";
CREATE INDEX "AlertRule_workspaceId_idx" ON "AlertRule"("workspaceId");
CREATE UNIQUE INDEX "AlertRule_workspaceId_name_key" ON "AlertRule"("workspaceId", "name");
CREATE TABLE "new_AlertSilence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "comment" TEXT NOT NULL,
    "ruleId" TEXT,
    "integration" TEXT,
    "matchers" TEXT NOT NULL DEFAULT '[]',
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "recurrence" TEXT NOT NULL DEFAULT 'none',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AlertSilence_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AlertSilence" ("comment", "createdAt", "endsAt", "id", "integration", "matchers", "recurrence", "ruleId", "startsAt", "workspaceId") SELECT "comment", "createdAt", "endsAt", "id", "integration", "matchers", "recurrence", "ruleId", "startsAt", "workspaceId" FROM "AlertSilence";
DROP TABLE "AlertSilence";
ALTER TABLE "new_AlertSilence" RENAME TO "AlertSilence";
CREATE INDEX "AlertSilence_workspaceId_idx" ON "AlertSilence"("workspaceId");
CREATE TABLE "new_ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    "scopes" TEXT NOT NULL DEFAULT '["gateway","read","write","admin"]',
    "integrations" TEXT,
    "expiresAt" DATETIME,
    "rateLimits" TEXT,
    "quotas" TEXT,
    CONSTRAINT "ApiToken_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ApiToken" ("createdAt", "expiresAt", "id", "integrations", "lastUsedAt", "name", "prefix", "quotas", "rateLimits", "revokedAt", "scopes", "tokenHash", "userId", "workspaceId") SELECT "createdAt", "expiresAt", "id", "integrations", "lastUsedAt", "name", "prefix", "quotas", "rateLimits", "revokedAt", "scopes", "tokenHash", "userId", "workspaceId" FROM "ApiToken";
DROP TABLE "ApiToken";
ALTER TABLE "new_ApiToken" RENAME TO "ApiToken";
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");
CREATE INDEX "ApiToken_workspaceId_idx" ON "ApiToken"("workspaceId");
CREATE TABLE "new_Integration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
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
    "bodyCapture" TEXT NOT NULL DEFAULT 'redacted',
    CONSTRAINT "Integration_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Integration" ("activeEnvironment", "authHeader", "authScheme", "baseUrl", "bodyCapture", "createdAt", "id", "name", "oauth2", "policy", "sandbox", "secondarySecretEnv", "secretEnv", "slug", "updatedAt", "workspaceId") SELECT "activeEnvironment", "authHeader", "authScheme", "baseUrl", "bodyCapture", "createdAt", "id", "name", "oauth2", "policy", "sandbox", "secondarySecretEnv", "secretEnv", "slug", "updatedAt", "workspaceId" FROM "Integration";
DROP TABLE "Integration";
ALTER TABLE "new_Integration" RENAME TO "Integration";
CREATE INDEX "Integration_workspaceId_idx" ON "Integration"("workspaceId");
CREATE UNIQUE INDEX "Integration_workspaceId_slug_key" ON "Integration"("workspaceId", "slug");
CREATE TABLE "new_Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "integrationSlug" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "headers" TEXT NOT NULL DEFAULT '{}',
    "body" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "runAt" DATETIME NOT NULL,
    "claimedAt" DATETIME,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "lastStatus" INTEGER,
    "resultBody" TEXT,
    "lastCallId" TEXT,
    "attemptLog" TEXT NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL DEFAULT 'api',
    "completionUrl" TEXT,
    "completionSecretEnv" TEXT,
    "completionStatus" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "Job_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Job" ("attemptLog", "attempts", "body", "claimedAt", "completionSecretEnv", "completionStatus", "completionUrl", "createdAt", "finishedAt", "headers", "id", "idempotencyKey", "integrationId", "integrationSlug", "lastCallId", "lastError", "lastStatus", "leaseUntil", "maxAttempts", "method", "path", "priority", "resultBody", "runAt", "source", "state", "workspaceId") SELECT "attemptLog", "attempts", "body", "claimedAt", "completionSecretEnv", "completionStatus", "completionUrl", "createdAt", "finishedAt", "headers", "id", "idempotencyKey", "integrationId", "integrationSlug", "lastCallId", "lastError", "lastStatus", "leaseUntil", "maxAttempts", "method", "path", "priority", "resultBody", "runAt", "source", "state", "workspaceId" FROM "Job";
DROP TABLE "Job";
ALTER TABLE "new_Job" RENAME TO "Job";
CREATE INDEX "Job_state_runAt_idx" ON "Job"("state", "runAt");
CREATE INDEX "Job_integrationId_state_idx" ON "Job"("integrationId", "state");
CREATE INDEX "Job_workspaceId_idx" ON "Job"("workspaceId");
CREATE TABLE "new_ReplayRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
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
    "finishedAt" DATETIME,
    CONSTRAINT "ReplayRun_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ReplayRun" ("concurrency", "createdAt", "failed", "filter", "finishedAt", "id", "idempotency", "leaseUntil", "refused", "resumes", "state", "succeeded", "total", "workspaceId") SELECT "concurrency", "createdAt", "failed", "filter", "finishedAt", "id", "idempotency", "leaseUntil", "refused", "resumes", "state", "succeeded", "total", "workspaceId" FROM "ReplayRun";
DROP TABLE "ReplayRun";
ALTER TABLE "new_ReplayRun" RENAME TO "ReplayRun";
CREATE INDEX "ReplayRun_state_idx" ON "ReplayRun"("state");
CREATE INDEX "ReplayRun_workspaceId_idx" ON "ReplayRun"("workspaceId");
CREATE TABLE "new_Sync" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "integrationSlug" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'since',
    "cursorParam" TEXT NOT NULL DEFAULT 'since',
    "limitParam" TEXT,
    "pageSize" INTEGER NOT NULL DEFAULT 100,
    "maxPages" INTEGER NOT NULL DEFAULT 10,
    "itemsField" TEXT NOT NULL DEFAULT 'items',
    "nextField" TEXT NOT NULL DEFAULT 'next',
    "idField" TEXT NOT NULL DEFAULT 'id',
    "timeField" TEXT,
    "intervalSeconds" INTEGER NOT NULL,
    "sink" TEXT NOT NULL DEFAULT 'events',
    "sinkUrl" TEXT,
    "sinkSecretEnv" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "checkpoint" TEXT,
    "nextRunAt" DATETIME NOT NULL,
    "leaseUntil" DATETIME,
    "lastRunAt" DATETIME,
    "lastSuccessAt" DATETIME,
    "lastError" TEXT,
    "lastItemAt" DATETIME,
    "itemsDelivered" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sync_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Sync" ("checkpoint", "createdAt", "cursorParam", "enabled", "id", "idField", "integrationId", "integrationSlug", "intervalSeconds", "itemsDelivered", "itemsField", "lastError", "lastItemAt", "lastRunAt", "lastSuccessAt", "leaseUntil", "limitParam", "maxPages", "mode", "nextField", "nextRunAt", "pageSize", "path", "sink", "sinkSecretEnv", "sinkUrl", "slug", "timeField", "updatedAt", "workspaceId") SELECT "checkpoint", "createdAt", "cursorParam", "enabled", "id", "idField", "integrationId", "integrationSlug", "intervalSeconds", "itemsDelivered", "itemsField", "lastError", "lastItemAt", "lastRunAt", "lastSuccessAt", "leaseUntil", "limitParam", "maxPages", "mode", "nextField", "nextRunAt", "pageSize", "path", "sink", "sinkSecretEnv", "sinkUrl", "slug", "timeField", "updatedAt", "workspaceId" FROM "Sync";
DROP TABLE "Sync";
ALTER TABLE "new_Sync" RENAME TO "Sync";
CREATE INDEX "Sync_enabled_nextRunAt_idx" ON "Sync"("enabled", "nextRunAt");
CREATE INDEX "Sync_workspaceId_idx" ON "Sync"("workspaceId");
CREATE UNIQUE INDEX "Sync_workspaceId_slug_key" ON "Sync"("workspaceId", "slug");
CREATE TABLE "new_WebhookSource" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "integrationSlug" TEXT NOT NULL,
    "forwardPath" TEXT NOT NULL DEFAULT '/',
    "scheme" TEXT NOT NULL,
    "secretEnv" TEXT NOT NULL,
    "previousSecretEnv" TEXT,
    "options" TEXT NOT NULL DEFAULT '{}',
    "toleranceSeconds" INTEGER NOT NULL DEFAULT 300,
    "maxBodyBytes" INTEGER NOT NULL DEFAULT 1048576,
    "dedupBy" TEXT NOT NULL DEFAULT 'id',
    "dedupField" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebhookSource_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_WebhookSource" ("createdAt", "dedupBy", "dedupField", "forwardPath", "id", "integrationId", "integrationSlug", "maxBodyBytes", "name", "options", "previousSecretEnv", "scheme", "secretEnv", "slug", "toleranceSeconds", "updatedAt", "workspaceId") SELECT "createdAt", "dedupBy", "dedupField", "forwardPath", "id", "integrationId", "integrationSlug", "maxBodyBytes", "name", "options", "previousSecretEnv", "scheme", "secretEnv", "slug", "toleranceSeconds", "updatedAt", "workspaceId" FROM "WebhookSource";
DROP TABLE "WebhookSource";
ALTER TABLE "new_WebhookSource" RENAME TO "WebhookSource";
CREATE INDEX "WebhookSource_workspaceId_idx" ON "WebhookSource"("workspaceId");
CREATE UNIQUE INDEX "WebhookSource_workspaceId_slug_key" ON "WebhookSource"("workspaceId", "slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
