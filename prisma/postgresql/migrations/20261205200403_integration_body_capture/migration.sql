-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "bodyCapture" TEXT NOT NULL DEFAULT 'redacted';
