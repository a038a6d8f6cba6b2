-- CreateTable
CREATE TABLE "UsageRollup" (
    "id" SERIAL NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "integrationId" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "outcomeClass" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "attemptKind" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "UsageRollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsagePrice" (
    "id" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "rules" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsagePrice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "UsageRollup_integrationId_bucketStart_idx" ON "UsageRollup"("integrationId", "bucketStart");

-- CreateIndex
CREATE UNIQUE INDEX "UsageRollup_bucketStart_integrationId_route_outcomeClass_ca_key" ON "UsageRollup"("bucketStart", "integrationId", "route", "outcomeClass", "caller", "attemptKind", "environment", "instance");

-- CreateIndex
CREATE UNIQUE INDEX "UsagePrice_integrationId_effectiveFrom_key" ON "UsagePrice"("integrationId", "effectiveFrom");

-- AddForeignKey
ALTER TABLE "UsageRollup" ADD CONSTRAINT "UsageRollup_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsagePrice" ADD CONSTRAINT "UsagePrice_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
