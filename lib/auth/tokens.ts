import { bumpConfigVersion, type Db, sqliteWriterFor } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import { randomSecret, sha256 } from './secrets';
import { CREDENTIAL_CACHE_MS } from './sessions';

export const TOKEN_PREFIX = 'bw_';

export interface TokenOwner {
  tokenId: string;
  userId: string;
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The columns the gateway's snapshot is made from. */
export interface ApiTokenRow {
  id: string;
  userId: string;
  tokenHash: string;
}

const viewFields = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

// Verified tokens are remembered briefly so API calls do not hit the database on every request;
// revocation in this process clears the entry at once. On globalThis: the proxy and the route
// handlers are separate bundles in one process and must see the same entries.
const verified = processSingleton('tokens', () => new Map<string, { owner: TokenOwner; until: number }>());

interface TokenSnapshot {
  /** non-revoked tokens by SHA-256: a revoked token is absent, so it stays refused while the database is down */
  byHash: Map<string, TokenOwner>;
  loads: Promise<unknown>;
}

// The gateway's token check, in memory (see loadDataPlaneConfig in lib/server/config.ts).
const snapshot = processSingleton<TokenSnapshot>('token-snapshot', () => ({
  byHash: new Map(),
  loads: Promise.resolve(),
}));

// When each token was last used, written in one batch by flushTokenUse instead of once per call.
// Epoch ms, not a Date: this runs on every gateway call.
const lastUses = processSingleton('token-last-use', () => new Map<string, number>());

function noteTokenUse(tokenId: string): void {
  lastUses.set(tokenId, Date.now());
}

// The hash of each token recently presented, so a gateway call does not hash its token again. Only the hash
// is remembered: the owner is still looked up in the snapshot on every call, so a revocation stays immediate.
const MAX_REMEMBERED_HASHES = 1024;
const hashOfToken = processSingleton('token-hash-of-token', () => new Map<string, string>());

function tokenHashOf(token: string): string {
  let hash = hashOfToken.get(token);
  if (hash === undefined) {
    // Bounded: a flood of distinct (bogus) tokens only empties the map, it never grows it.
    if (hashOfToken.size >= MAX_REMEMBERED_HASHES) hashOfToken.clear();
    hash = sha256(token);
    hashOfToken.set(token, hash);
  }
  return hash;
}

/** Creates a token; the clear value is returned once and never stored. */
export async function createApiToken(
  db: Db,
  userId: string,
  name: string,
): Promise<{ token: string; view: ApiTokenView }> {
  const token = randomSecret(TOKEN_PREFIX);
  const view = await db.apiToken.create({
    data: { name, userId, tokenHash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) },
    select: viewFields,
  });
  await publishTokenChange(db);
  return { token, view };
}

export function listApiTokens(db: Db, userId: string): Promise<ApiTokenView[]> {
  return db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, select: viewFields });
}

export async function revokeApiToken(db: Db, userId: string, id: string): Promise<boolean> {
  const token = await db.apiToken.findFirst({ where: { id, userId }, select: { tokenHash: true, revokedAt: true } });
  if (!token) return false;
  if (!token.revokedAt) await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  verified.delete(token.tokenHash);
  // Refused by this process's gateway from now on, even if the bump or the reload below fails.
  snapshot.byHash.delete(token.tokenHash);
  await publishTokenChange(db);
  return true;
}

/** The API's check: against the database (cached briefly), for answers about the caller's own data. */
export async function verifyApiToken(db: Db, token: string | null | undefined): Promise<TokenOwner | null> {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const tokenHash = sha256(token);
  const now = Date.now();
  const hit = verified.get(tokenHash);
  if (hit && hit.until > now) {
    noteTokenUse(hit.owner.tokenId);
    return hit.owner;
  }
  const row = await db.apiToken.findUnique({
    where: { tokenHash },
    select: { id: true, userId: true, revokedAt: true },
  });
  if (!row || row.revokedAt) {
    verified.delete(tokenHash);
    return null;
  }
  const owner = { tokenId: row.id, userId: row.userId };
  verified.set(tokenHash, { owner, until: now + CREDENTIAL_CACHE_MS });
  noteTokenUse(row.id);
  return owner;
}

/** The gateway's check, synchronous and from memory: the owner of a non-revoked token, else null. */
export function tokenOwnerForGateway(token: string | null | undefined): TokenOwner | null {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const owner = snapshot.byHash.get(tokenHashOf(token));
  if (!owner) return null;
  noteTokenUse(owner.tokenId);
  return owner;
}

/** Replaces the gateway's tokens with these rows (every non-revoked token). */
export function replaceTokenSnapshot(rows: ApiTokenRow[]): void {
  snapshot.byHash = new Map(rows.map((row) => [row.tokenHash, { tokenId: row.id, userId: row.userId }]));
}

/** Reads every non-revoked token and replaces the snapshot; loads run one at a time, in order. */
export function loadTokenSnapshot(db: Db): Promise<void> {
  const load = snapshot.loads.then(async () =>
    replaceTokenSnapshot(
      await db.apiToken.findMany({ where: { revokedAt: null }, select: { id: true, userId: true, tokenHash: true } }),
    ),
  );
  snapshot.loads = load.catch(() => undefined);
  return load;
}

/** After a committed change: other instances see the new version within one poll, this one at once. */
async function publishTokenChange(db: Db): Promise<void> {
  await bumpConfigVersion(db);
  await loadTokenSnapshot(db);
}

/**
 * Writes the remembered last uses in one transaction. On failure they are kept (a newer use wins) for the
 * next batch and the error is thrown to the caller, which logs it; no call ever waits for this.
 */
export async function flushTokenUse(db: Db): Promise<number> {
  if (lastUses.size === 0) return 0;
  const batch = [...lastUses];
  lastUses.clear();
  try {
    // On SQLite, the writer thread commits them off the event loop (Prisma's transaction ran its statements
    // and the file's sync on it, stalling the calls under way).
    const writer = sqliteWriterFor(db);
    if (writer)
      await writer.write([
        { update: 'ApiToken', key: ['id'], rows: batch.map(([id, at]) => ({ id, lastUsedAt: new Date(at) })) },
      ]);
    else
      await db.$transaction(
        batch.map(([id, at]) => db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: new Date(at) } })),
      );
    return batch.length;
  } catch (error) {
    for (const [id, at] of batch) if (!lastUses.has(id)) lastUses.set(id, at);
    throw error;
  }
}
