-- CreateTable
CREATE TABLE "TelemetryCheckpoint" (
    "instance" TEXT NOT NULL PRIMARY KEY,
    "segment" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
