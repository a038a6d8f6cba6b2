-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Integration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "authScheme" TEXT NOT NULL DEFAULT 'none',
    "authHeader" TEXT,
    "secretEnv" TEXT,
    "policy" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "bodyCapture" TEXT NOT NULL DEFAULT 'redacted'
);
INSERT INTO "new_Integration" ("authHeader", "authScheme", "baseUrl", "createdAt", "id", "name", "policy", "secretEnv", "slug", "updatedAt") SELECT "authHeader", "authScheme", "baseUrl", "createdAt", "id", "name", "policy", "secretEnv", "slug", "updatedAt" FROM "Integration";
DROP TABLE "Integration";
ALTER TABLE "new_Integration" RENAME TO "Integration";
CREATE UNIQUE INDEX "Integration_slug_key" ON "Integration"("slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
