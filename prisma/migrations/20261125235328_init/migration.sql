-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Integration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "authScheme" TEXT NOT NULL DEFAULT 'none',
    "authHeader" TEXT,
    "secretEnv" TEXT,
    "policy" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CallLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    CONSTRAINT "CallLog_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CallAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "callId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "durationMs" REAL NOT NULL,
    "status" INTEGER,
    "errorType" TEXT,
    "delayBeforeMs" REAL NOT NULL DEFAULT 0,
    "delayReason" TEXT,
    CONSTRAINT "CallAttempt_callId_fkey" FOREIGN KEY ("callId") REFERENCES "CallLog" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetricRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "bucketStart" DATETIME NOT NULL,
    "bucketSeconds" INTEGER NOT NULL,
    "integrationId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcomeClass" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "cacheMisses" INTEGER NOT NULL DEFAULT 0,
    "rateLimitWaits" INTEGER NOT NULL DEFAULT 0,
    "rateLimitRejections" INTEGER NOT NULL DEFAULT 0,
    "latencySumMs" REAL NOT NULL,
    "latencyMaxMs" REAL NOT NULL,
    "latencyHist" TEXT NOT NULL,
    CONSTRAINT "MetricRollup_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BreakerEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "integrationId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "fromState" TEXT NOT NULL,
    "toState" TEXT NOT NULL,
    "reason" TEXT,
    CONSTRAINT "BreakerEvent_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Integration_slug_key" ON "Integration"("slug");

-- CreateIndex
CREATE INDEX "CallLog_integrationId_startedAt_idx" ON "CallLog"("integrationId", "startedAt");

-- CreateIndex
CREATE INDEX "CallLog_startedAt_idx" ON "CallLog"("startedAt");

-- CreateIndex
CREATE INDEX "CallLog_upstreamRequestId_idx" ON "CallLog"("upstreamRequestId");

-- CreateIndex
CREATE UNIQUE INDEX "CallAttempt_callId_number_key" ON "CallAttempt"("callId", "number");

-- CreateIndex
CREATE INDEX "MetricRollup_integrationId_bucketStart_idx" ON "MetricRollup"("integrationId", "bucketStart");

-- CreateIndex
CREATE INDEX "MetricRollup_bucketStart_idx" ON "MetricRollup"("bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "MetricRollup_bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_key" ON "MetricRollup"("bucketStart", "bucketSeconds", "integrationId", "route", "outcomeClass", "instance");

-- CreateIndex
CREATE INDEX "BreakerEvent_integrationId_at_idx" ON "BreakerEvent"("integrationId", "at");
