-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "token" INTEGER NOT NULL DEFAULT 1,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ServiceInstance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "version" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "callsPerSecond" REAL NOT NULL DEFAULT 0,
    "recorderDrops" INTEGER NOT NULL DEFAULT 0,
    "redisDegraded" BOOLEAN NOT NULL DEFAULT false
);

-- CreateIndex
CREATE INDEX "ServiceInstance_heartbeatAt_idx" ON "ServiceInstance"("heartbeatAt");
