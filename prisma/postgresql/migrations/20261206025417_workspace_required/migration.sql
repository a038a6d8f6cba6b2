-- AlterTable
ALTER TABLE "AlertChannel" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "AlertNotification" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "AlertRule" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "AlertSilence" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "ApiToken" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Integration" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Job" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "ReplayRun" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Sync" ALTER COLUMN "workspaceId" DROP DEFAULT;

-- AlterTable
ALTER TABLE "WebhookSource" ALTER COLUMN "workspaceId" DROP DEFAULT;
