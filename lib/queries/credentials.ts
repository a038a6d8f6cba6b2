import { type Db, MINUTE_SECONDS } from '@/lib/db';

/** Which credential served an integration's calls recently: when the secondary is unused, the old key can go. */
export interface CredentialUsage {
  since: Date;
  /** calls sent with the primary credential (every call of the window but those the secondary served) */
  primary: number;
  /** calls resent with the secondary credential after the primary got a 401 */
  secondary: number;
  /** the last call the secondary served (each one is kept in the call log), whenever it was */
  lastSecondaryAt: Date | null;
}

export const CREDENTIAL_WINDOW_MS = 86_400_000;

/**
 * The last 24 hours of an integration's calls by credential, from its minute rollups (exact counts) and
 * the call log (the last secondary use). `credentialed` false (no credential configured): primary is 0.
 */
export async function credentialUsage(
  db: Db,
  integrationId: string,
  credentialed: boolean,
  now = new Date(),
): Promise<CredentialUsage> {
  const since = new Date(now.getTime() - CREDENTIAL_WINDOW_MS);
  const [sums, last] = await Promise.all([
    db.metricRollup.aggregate({
      where: { integrationId, bucketSeconds: MINUTE_SECONDS, bucketStart: { gte: since } },
      _sum: { count: true, secondaryCredential: true },
    }),
    db.callLog.findFirst({
      where: { integrationId, credential: 'secondary' },
      orderBy: { startedAt: 'desc' },
      select: { startedAt: true },
    }),
  ]);
  const secondary = sums._sum.secondaryCredential ?? 0;
  return {
    since,
    primary: credentialed ? (sums._sum.count ?? 0) - secondary : 0,
    secondary,
    lastSecondaryAt: last?.startedAt ?? null,
  };
}
