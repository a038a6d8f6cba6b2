-- CreateTable
CREATE TABLE "Sync" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "syncId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "state" TEXT NOT NULL DEFAULT 'running',
    "pages" INTEGER NOT NULL DEFAULT 0,
    "items" INTEGER NOT NULL DEFAULT 0,
    "fromCheckpoint" TEXT,
    "toCheckpoint" TEXT,
    "error" TEXT,
    CONSTRAINT "SyncRun_syncId_fkey" FOREIGN KEY ("syncId") REFERENCES "Sync" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SyncItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "syncId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "itemAt" DATETIME,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SyncItem_syncId_fkey" FOREIGN KEY ("syncId") REFERENCES "Sync" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QueueSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "integrationId" TEXT,
    "depth" INTEGER NOT NULL,
    "oldestQueuedAgeSeconds" INTEGER,
    "deadLetters" INTEGER NOT NULL,
    "oldestDeadAgeSeconds" INTEGER
);

-- CreateTable
CREATE TABLE "WebhookSource" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceId" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "headers" TEXT NOT NULL,
    "body" BLOB NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'received',
    "jobId" TEXT,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "forwardedAt" DATETIME,
    CONSTRAINT "WebhookEvent_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "WebhookSource" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WebhookCount" (
    "sourceId" TEXT NOT NULL,
    "bucket" DATETIME NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("sourceId", "bucket", "outcome"),
    CONSTRAINT "WebhookCount_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "WebhookSource" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Sync_slug_key" ON "Sync"("slug");

-- CreateIndex
CREATE INDEX "Sync_enabled_nextRunAt_idx" ON "Sync"("enabled", "nextRunAt");

-- CreateIndex
CREATE INDEX "SyncRun_syncId_startedAt_idx" ON "SyncRun"("syncId", "startedAt");

-- CreateIndex
CREATE INDEX "SyncItem_syncId_receivedAt_idx" ON "SyncItem"("syncId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SyncItem_syncId_itemId_key" ON "SyncItem"("syncId", "itemId");

-- CreateIndex
CREATE INDEX "QueueSample_integrationId_at_idx" ON "QueueSample"("integrationId", "at");

-- CreateIndex
CREATE INDEX "QueueSample_at_idx" ON "QueueSample"("at");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookSource_slug_key" ON "WebhookSource"("slug");

-- CreateIndex
CREATE INDEX "WebhookEvent_sourceId_receivedAt_idx" ON "WebhookEvent"("sourceId", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_state_idx" ON "WebhookEvent"("state");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_sourceId_dedupKey_key" ON "WebhookEvent"("sourceId", "dedupKey");
