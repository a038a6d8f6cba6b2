import { bumpConfigVersion, type Db, sqliteWriterFor } from '@/lib/db';
import { TOKEN_SCOPES, type TokenScope } from '@/lib/model';
import { processSingleton } from '@/lib/server/singleton';
import { randomSecret, sha256 } from './secrets';
import { CREDENTIAL_CACHE_MS } from './sessions';

export const TOKEN_PREFIX = 'bw_';

export interface TokenOwner {
  tokenId: string;
  userId: string;
  workspaceId: string;
  scopes: readonly TokenScope[];
  /** the integration slugs a gateway token may call; null: all of its workspace's */
  integrations: readonly string[] | null;
  /** epoch ms after which the token is refused; null: never */
  expiresAt: number | null;
  /** calls per minute this token may make, by integration slug or "*" for every one; null: no limit of its own */
  rateLimits: Readonly<Record<string, number>> | null;
  /** calls per UTC month this token may make, by integration slug; null: no quota */
  quotas: Readonly<Record<string, number>> | null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  /** the member who created it (its power is capped by their role) */
  owner: string;
  scopes: TokenScope[];
  integrations: string[] | null;
  rateLimits: Record<string, number> | null;
  quotas: Record<string, number> | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  expired: boolean;
  revokedAt: Date | null;
}

/** What a token is created with (validated by the route: scopes, slugs of the workspace, a future expiry). */
export interface NewApiToken {
  name: string;
  scopes: readonly TokenScope[];
  integrations?: readonly string[] | null;
  expiresAt?: Date | null;
  rateLimits?: Record<string, number> | null;
  quotas?: Record<string, number> | null;
}

/** The columns the gateway's snapshot is made from. */
export interface ApiTokenRow {
  id: string;
  userId: string;
  tokenHash: string;
  workspaceId: string;
  scopes: string;
  integrations: string | null;
  expiresAt: Date | null;
  rateLimits: string | null;
  quotas: string | null;
}

const rowFields = {
  id: true,
  userId: true,
  tokenHash: true,
  workspaceId: true,
  scopes: true,
  integrations: true,
  expiresAt: true,
  rateLimits: true,
  quotas: true,
} as const;

function parseList(json: string | null): string[] | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function parseCounts(json: string | null): Record<string, number> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
    const entries = Object.entries(value).filter(
      (entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && entry[1] > 0,
    );
    return entries.length ? Object.fromEntries(entries) : null;
  } catch {
    return null;
  }
}

/** A stored token's owner and grants; unknown scope names in the row grant nothing. */
function ownerOf(row: Omit<ApiTokenRow, 'tokenHash'>): TokenOwner {
  return {
    tokenId: row.id,
    userId: row.userId,
    workspaceId: row.workspaceId,
    scopes: (parseList(row.scopes) ?? []).filter((s): s is TokenScope =>
      (TOKEN_SCOPES as readonly string[]).includes(s),
    ),
    integrations: parseList(row.integrations),
    expiresAt: row.expiresAt?.getTime() ?? null,
    rateLimits: parseCounts(row.rateLimits),
    quotas: parseCounts(row.quotas),
  };
}

const expired = (owner: TokenOwner, now: number) => owner.expiresAt !== null && owner.expiresAt <= now;

const viewFields = {
  ...rowFields,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  user: { select: { username: true } },
} as const;

type ViewRow = Omit<ApiTokenRow, 'tokenHash'> & {
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: { username: string };
};

function viewOf(row: ViewRow, now = Date.now()): ApiTokenView {
  const owner = ownerOf(row);
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    owner: row.user.username,
    scopes: [...owner.scopes],
    integrations: owner.integrations && [...owner.integrations],
    rateLimits: owner.rateLimits && { ...owner.rateLimits },
    quotas: owner.quotas && { ...owner.quotas },
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    expired: expired(owner, now),
    revokedAt: row.revokedAt,
  };
}

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

/** Creates a token in a workspace; the clear value is returned once and never stored (only its SHA-256). */
export async function createApiToken(
  db: Db,
  userId: string,
  workspaceId: string,
  spec: NewApiToken,
): Promise<{ token: string; view: ApiTokenView }> {
  const token = randomSecret(TOKEN_PREFIX);
  const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
  const row = await db.apiToken.create({
    data: {
      name: spec.name,
      userId,
      workspaceId,
      tokenHash: sha256(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes: JSON.stringify(spec.scopes),
      integrations: json(spec.integrations),
      expiresAt: spec.expiresAt ?? null,
      rateLimits: json(spec.rateLimits),
      quotas: json(spec.quotas),
    },
    select: viewFields,
  });
  await publishTokenChange(db);
  return { token, view: viewOf(row) };
}

/** Every token of a workspace, newest first (revoked and expired ones included, shown as such). */
export async function listApiTokens(db: Db, workspaceId: string): Promise<ApiTokenView[]> {
  const rows = await db.apiToken.findMany({
    where: { workspaceId },
    orderBy: { createdAt: 'desc' },
    select: viewFields,
  });
  const now = Date.now();
  return rows.map((row) => viewOf(row, now));
}

/** Revokes a token of the workspace; null when it has none by that id. Returns the token before and after. */
export async function revokeApiToken(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<{ before: ApiTokenView; after: ApiTokenView } | null> {
  const token = await db.apiToken.findFirst({ where: { id, workspaceId }, select: { ...viewFields, tokenHash: true } });
  if (!token) return null;
  const after = token.revokedAt
    ? token
    : await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: viewFields });
  verified.delete(token.tokenHash);
  // Refused by this process's gateway from now on, even if the bump or the reload below fails.
  snapshot.byHash.delete(token.tokenHash);
  await publishTokenChange(db);
  return { before: viewOf(token), after: viewOf(after) };
}

/** Revokes every live token of a user in one workspace (they left it): refused by this process at once. */
export async function revokeTokensOf(db: Db, userId: string, workspaceId: string): Promise<number> {
  const rows = await db.apiToken.findMany({
    where: { userId, workspaceId, revokedAt: null },
    select: { id: true, tokenHash: true },
  });
  if (rows.length === 0) return 0;
  await db.apiToken.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { revokedAt: new Date() } });
  for (const row of rows) {
    verified.delete(row.tokenHash);
    snapshot.byHash.delete(row.tokenHash);
  }
  await publishTokenChange(db);
  return rows.length;
}

/** The API's check: against the database (cached briefly), for answers about the caller's own data. */
export async function verifyApiToken(db: Db, token: string | null | undefined): Promise<TokenOwner | null> {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const tokenHash = sha256(token);
  const now = Date.now();
  const hit = verified.get(tokenHash);
  if (hit && hit.until > now && !expired(hit.owner, now)) {
    noteTokenUse(hit.owner.tokenId);
    return hit.owner;
  }
  const row = await db.apiToken.findUnique({ where: { tokenHash }, select: { ...rowFields, revokedAt: true } });
  const owner = row && !row.revokedAt ? ownerOf(row) : null;
  if (!owner || expired(owner, now)) {
    verified.delete(tokenHash);
    return null;
  }
  verified.set(tokenHash, { owner, until: now + CREDENTIAL_CACHE_MS });
  noteTokenUse(owner.tokenId);
  return owner;
}

/** The gateway's check, synchronous and from memory: the owner of a non-revoked token, else null. */
export function tokenOwnerForGateway(token: string | null | undefined): TokenOwner | null {
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const owner = snapshot.byHash.get(tokenHashOf(token));
  if (!owner || expired(owner, Date.now())) return null;
  noteTokenUse(owner.tokenId);
  return owner;
}

/** Replaces the gateway's tokens with these rows (every non-revoked token). */
export function replaceTokenSnapshot(rows: ApiTokenRow[]): void {
  snapshot.byHash = new Map(rows.map((row) => [row.tokenHash, ownerOf(row)]));
}

/** Reads every non-revoked token and replaces the snapshot; loads run one at a time, in order. */
export function loadTokenSnapshot(db: Db): Promise<void> {
  const load = snapshot.loads.then(async () =>
    replaceTokenSnapshot(await db.apiToken.findMany({ where: { revokedAt: null }, select: rowFields })),
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
