-- AlterTable
ALTER TABLE "Integration" ADD COLUMN "oauth2" TEXT;
