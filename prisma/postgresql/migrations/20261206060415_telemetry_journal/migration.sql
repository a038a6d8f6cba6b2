-- CreateTable
CREATE TABLE "TelemetryCheckpoint" (
    "instance" TEXT NOT NULL,
    "segment" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TelemetryCheckpoint_pkey" PRIMARY KEY ("instance")
);
