-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "token" INTEGER NOT NULL DEFAULT 1,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "ServiceInstance" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "callsPerSecond" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "recorderDrops" INTEGER NOT NULL DEFAULT 0,
    "redisDegraded" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ServiceInstance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ServiceInstance_heartbeatAt_idx" ON "ServiceInstance"("heartbeatAt");
