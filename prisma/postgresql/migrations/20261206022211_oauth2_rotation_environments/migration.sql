-- DropIndex
DROP INDEX "MetricRollup_bucketStart_bucketSeconds_integrationId_route__key";

-- AlterTable
ALTER TABLE "CallLog" ADD COLUMN     "credential" TEXT,
ADD COLUMN     "environment" TEXT NOT NULL DEFAULT 'production';

-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "activeEnvironment" TEXT NOT NULL DEFAULT 'production',
ADD COLUMN     "oauth2" TEXT,
ADD COLUMN     "sandbox" TEXT,
ADD COLUMN     "secondarySecretEnv" TEXT;

-- AlterTable
ALTER TABLE "MetricRollup" ADD COLUMN     "environment" TEXT NOT NULL DEFAULT 'production',
ADD COLUMN     "secondaryCredential" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "EnvironmentSwitch" (
    "id" SERIAL NOT NULL,
    "integrationId" TEXT NOT NULL,
    "fromEnvironment" TEXT NOT NULL,
    "toEnvironment" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EnvironmentSwitch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EnvironmentSwitch_integrationId_at_idx" ON "EnvironmentSwitch"("integrationId", "at");

-- CreateIndex
CREATE INDEX "CallLog_integrationId_credential_startedAt_idx" ON "CallLog"("integrationId", "credential", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "MetricRollup_bucketStart_bucketSeconds_integrationId_route__key" ON "MetricRollup"("bucketStart", "bucketSeconds", "integrationId", "route", "outcomeClass", "instance", "environment");

-- AddForeignKey
ALTER TABLE "EnvironmentSwitch" ADD CONSTRAINT "EnvironmentSwitch_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
