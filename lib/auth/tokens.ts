import type { Db } from '@/lib/db';
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

const viewFields = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

// Verified tokens are remembered briefly so the gateway's hot path does not hit the database on every
// call; revocation in this process clears the entry at once. On globalThis: the proxy and the route
// handlers are separate bundles in one process and must see the same entries.
const verified = processSingleton('tokens', () => new Map<string, { owner: TokenOwner; until: number }>());
const LAST_USED_RESOLUTION_MS = 60_000;

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
  return true;
}

export async function verifyApiToken(db: Db, token: string | null | undefined): Promise<TokenOwner | null> {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const tokenHash = sha256(token);
  const now = Date.now();
  const hit = verified.get(tokenHash);
  if (hit && hit.until > now) return hit.owner;
  const row = await db.apiToken.findUnique({
    where: { tokenHash },
    select: { id: true, userId: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row || row.revokedAt) {
    verified.delete(tokenHash);
    return null;
  }
  const owner = { tokenId: row.id, userId: row.userId };
  verified.set(tokenHash, { owner, until: now + CREDENTIAL_CACHE_MS });
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return owner;
}
