import type { CallContext } from './context.ts';
import { CancelledError } from './errors.ts';
import type { Policy } from './options.ts';
import { PolicyBase, type PolicyEnv } from './policy.ts';

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  storedAt: number;
  /** Fresh until this epoch ms; may still answer on error until `staleUntil`. */
  expiresAt: number;
  staleUntil: number;
}

/** Where entries live. Memory now; Redis (shared by instances) later. Methods may answer synchronously. */
export interface CacheStore {
  get(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>;
  set(key: string, entry: CachedResponse): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /** Deletes every key the pattern matches; returns how many. */
  deleteMatching(pattern: RegExp): number | Promise<number>;
  /** Applies a new entry bound (a changed policy). */
  resize?(maxEntries: number): void;
  /**
   * A store shared by several instances: whether this caller should fetch `key` (it takes a lock for
   * `lockMs`) or wait for the entry another instance is fetching (`awaitFill`; undefined when none came).
   */
  claimFill?(key: string, lockMs: number): Promise<boolean>;
  releaseFill?(key: string): Promise<void>;
  awaitFill?(key: string, waitMs: number): Promise<CachedResponse | undefined>;
}

/** LRU by insertion order of a Map: a read re-inserts the key, the oldest key is evicted first. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, CachedResponse>();

  constructor(public maxEntries = 1000) {}

  get size(): number {
    return this.entries.size;
  }

  resize(maxEntries: number): void {
    this.maxEntries = maxEntries;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteMatching(pattern: RegExp): number {
    let deleted = 0;
    for (const key of [...this.entries.keys()]) {
      if (pattern.test(key)) {
        this.entries.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}

/** '*' matches within one path segment, '**' matches anything. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

interface CacheableResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function isCacheableResult(value: unknown): value is CacheableResult {
  const result = value as CacheableResult;
  return (
    typeof result === 'object' && result !== null && typeof result.status === 'number' && Buffer.isBuffer(result.body)
  );
}

function maxAgeMs(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const match = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) * 1000 : undefined;
}

/** A body sliced from a larger socket read would keep that whole read alive for the entry's lifetime. */
function ownBytes(body: Buffer): Buffer {
  return body.buffer.byteLength > body.length * 2 ? Buffer.from(body) : body;
}

/** How long a miss waits for another instance fetching the same key (and how long that one's lock lasts). */
const CLUSTER_FILL_WAIT_MS = 2000;

const refusesStorage = /(?:^|,)\s*(?:no-store|no-cache|private)\b/i;

/**
 * Response cache for safe methods. The key is method + URL + chosen vary headers (set by the client on
 * `ctx.cacheKey`); concurrent identical misses share one upstream request; with `staleIfErrorMs` an
 * expired entry answers when the upstream fails (5xx or an error), as RFC 5861 stale-if-error.
 */
export class ResponseCache extends PolicyBase<Policy['cache']> {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private neverCache: RegExp[];

  constructor(
    options: Policy['cache'],
    env: PolicyEnv,
    readonly store: CacheStore = new MemoryCacheStore(options.maxEntries),
  ) {
    super(options, env);
    this.neverCache = options.neverCacheRoutes.map(globToRegExp);
  }

  override configure(options: Policy['cache']): void {
    super.configure(options);
    this.neverCache = options.neverCacheRoutes.map(globToRegExp);
    this.store.resize?.(options.maxEntries);
  }

  /** Whether this request may be served from / stored in the cache. */
  appliesTo(method: string, route: string, requestCacheControl: string | undefined): boolean {
    if (!this.options.enabled || !this.options.methods.includes(method)) return false;
    if (requestCacheControl !== undefined && refusesStorage.test(requestCacheControl)) return false;
    for (const rule of this.neverCache) if (rule.test(route)) return false;
    return true;
  }

  invalidate(pattern: string | RegExp): number | Promise<number> {
    return this.store.deleteMatching(typeof pattern === 'string' ? globToRegExp(pattern) : pattern);
  }

  run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    // Not async on the bypass path: one promise layer less for every uncached call.
    return ctx.cacheKey === undefined ? next(ctx) : this.lookup(next, ctx, ctx.cacheKey);
  }

  private async lookup<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext, key: string): Promise<T> {
    const stored = this.store.get(key);
    const entry = stored instanceof Promise ? await stored : stored;
    const now = this.env.clock.now();
    if (entry && entry.expiresAt > now) {
      ctx.cache = 'hit';
      this.emitHit(ctx, key, false);
      return { status: entry.status, headers: entry.headers, body: entry.body } as T;
    }
    const pending = this.inflight.get(key);
    if (pending) {
      let shared: T;
      try {
        shared = (await pending) as T;
      } catch (error) {
        // The leading caller gave up; that is no answer for the others, who fetch for themselves.
        if (error instanceof CancelledError) return this.lookup(next, ctx, key);
        throw error;
      }
      ctx.cache = 'hit';
      this.emitHit(ctx, key, true);
      return shared;
    }
    ctx.cache = 'miss';
    if (this.wants('cache.miss')) {
      this.emitForCall(ctx, { type: 'cache.miss', key });
    }
    const upstream =
      this.store.claimFill === undefined
        ? this.fetchAndStore(next, ctx, key, entry)
        : this.fetchOnceInCluster(next, ctx, key, entry);
    this.inflight.set(key, upstream);
    try {
      return (await upstream) as T;
    } finally {
      this.inflight.delete(key);
    }
  }

  /**
   * A shared store's miss: the instance that takes the fill lock fetches; the others wait a bounded time
   * for its entry (a hit) and fetch for themselves if none comes (the filler failed, or is too slow).
   */
  private async fetchOnceInCluster<T>(
    next: (ctx: CallContext) => Promise<T>,
    ctx: CallContext,
    key: string,
    previous: CachedResponse | undefined,
  ): Promise<T> {
    const store = this.store as Required<CacheStore>;
    if (await store.claimFill(key, CLUSTER_FILL_WAIT_MS)) {
      try {
        return await this.fetchAndStore(next, ctx, key, previous);
      } finally {
        await store.releaseFill(key);
      }
    }
    const filled = await store.awaitFill(key, CLUSTER_FILL_WAIT_MS);
    if (filled) {
      ctx.cache = 'hit';
      this.emitHit(ctx, key, true);
      return { status: filled.status, headers: filled.headers, body: filled.body } as T;
    }
    return this.fetchAndStore(next, ctx, key, previous);
  }

  private async fetchAndStore<T>(
    next: (ctx: CallContext) => Promise<T>,
    ctx: CallContext,
    key: string,
    previous: CachedResponse | undefined,
  ): Promise<T> {
    let result: T;
    try {
      result = await next(ctx);
    } catch (error) {
      // A timeout is an upstream failure like any other; only the caller's own cancel is not.
      if (previous && previous.staleUntil > this.env.clock.now() && !(error instanceof CancelledError)) {
        return this.serveStale(ctx, key, previous) as T;
      }
      throw error;
    }
    if (!isCacheableResult(result)) return result;
    const now = this.env.clock.now();
    if (result.status >= 500 && previous && previous.staleUntil > now) return this.serveStale(ctx, key, previous) as T;
    const cacheControl = result.headers['cache-control'];
    if (result.status >= 200 && result.status < 300 && !(cacheControl && refusesStorage.test(cacheControl))) {
      const ttl = Math.min(this.options.ttlMs, maxAgeMs(cacheControl) ?? this.options.ttlMs);
      if (ttl > 0) {
        const expiresAt = now + ttl;
        const storing = this.store.set(key, {
          status: result.status,
          headers: result.headers,
          body: ownBytes(result.body),
          storedAt: now,
          expiresAt,
          staleUntil: expiresAt + this.options.staleIfErrorMs,
        });
        if (storing) await storing;
      }
    }
    return result;
  }

  private serveStale(ctx: CallContext, key: string, entry: CachedResponse): CacheableResult {
    ctx.cache = 'stale';
    if (this.wants('cache.stale')) {
      this.emitForCall(ctx, { type: 'cache.stale', key, ageMs: this.env.clock.now() - entry.storedAt });
    }
    return { status: entry.status, headers: entry.headers, body: entry.body };
  }

  private emitHit(ctx: CallContext, key: string, coalesced: boolean): void {
    if (this.wants('cache.hit')) this.emitForCall(ctx, { type: 'cache.hit', key, coalesced });
  }
}
