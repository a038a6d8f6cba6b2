import { type CachedResponse, type CacheStore, MemoryCacheStore } from '@/lib/resilience';
import { pack, unpack } from './record';
import type { SharedRedis } from './redis';

function encode(entry: CachedResponse): Buffer {
  const { body, ...meta } = entry;
  return pack(meta, body);
}

function decode(bytes: Buffer): CachedResponse {
  const { meta, body } = unpack<Omit<CachedResponse, 'body'>>(bytes);
  return { ...meta, body };
}

const FILL_POLL_MS = 25;

/**
 * The response cache of one integration in Redis, shared by every instance: `<prefix>cache:<namespace>:<key>`
 * holds an entry until its stale-if-error window ends, and `<prefix>cache-index:<namespace>` (a sorted set
 * by insertion time) bounds the integration to `maxEntries`, oldest first. While Redis is unavailable this
 * instance's own memory cache answers and stores.
 */
export class RedisCacheStore implements CacheStore {
  private readonly local: MemoryCacheStore;

  constructor(
    private readonly redis: SharedRedis,
    private readonly namespace: string,
    public maxEntries: number,
  ) {
    this.local = new MemoryCacheStore(maxEntries);
  }

  resize(maxEntries: number): void {
    this.maxEntries = maxEntries;
    this.local.maxEntries = maxEntries;
  }

  get(key: string): Promise<CachedResponse | undefined> {
    return this.redis.run(
      'cache get',
      async (client) => {
        const bytes = await client.getBuffer(this.entryKey(key));
        return bytes ? decode(bytes) : undefined;
      },
      () => this.local.get(key),
    );
  }

  set(key: string, entry: CachedResponse): Promise<void> {
    const keepMs = Math.max(1, Math.ceil(entry.staleUntil - entry.storedAt));
    return this.redis.run(
      'cache set',
      async (client) => {
        await this.redis.script(
          client,
          'bwCacheSet',
          [this.entryKey(key), this.indexKey()],
          [encode(entry) as unknown as string, keepMs, entry.storedAt, this.maxEntries],
        );
      },
      () => this.local.set(key, entry),
    );
  }

  delete(key: string): Promise<void> {
    this.local.delete(key);
    return this.redis.run(
      'cache delete',
      async (client) => {
        const entryKey = this.entryKey(key);
        await client.multi().del(entryKey).zrem(this.indexKey(), entryKey).exec();
      },
      () => undefined,
    );
  }

  /** SCANs the integration's prefix; keys are matched without it, as the memory store matches them. */
  deleteMatching(pattern: RegExp): Promise<number> {
    const localDeleted = this.local.deleteMatching(pattern);
    const prefix = this.entryKey('');
    return this.redis.run(
      'cache invalidate',
      async (client) => {
        let deleted = 0;
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
          cursor = next;
          const matching = keys.filter((key) => pattern.test(key.slice(prefix.length)));
          if (matching.length > 0) {
            await client
              .multi()
              .del(...matching)
              .zrem(this.indexKey(), ...matching)
              .exec();
            deleted += matching.length;
          }
        } while (cursor !== '0');
        return deleted;
      },
      () => localDeleted,
    );
  }

  /**
   * Whether this instance should fetch `key` (true) or another instance is already fetching it: the first
   * caller takes a lock for `lockMs`. Without Redis every instance fetches for itself.
   */
  claimFill(key: string, lockMs: number): Promise<boolean> {
    return this.redis.run(
      'cache fill lock',
      async (client) => (await client.set(this.fillKey(key), this.redis.instanceId, 'PX', lockMs, 'NX')) === 'OK',
      () => true,
    );
  }

  releaseFill(key: string): Promise<void> {
    return this.redis.run(
      'cache fill unlock',
      async (client) => {
        await client.del(this.fillKey(key));
      },
      () => undefined,
    );
  }

  /**
   * Waits for the fresh entry another instance is fetching, up to `waitMs`: undefined as soon as that
   * instance gave up without storing one (its lock is gone), at the deadline, or when Redis fails.
   */
  async awaitFill(key: string, waitMs: number): Promise<CachedResponse | undefined> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, FILL_POLL_MS));
      const found = await this.redis.run(
        'cache fill wait',
        async (client) => {
          const [[, bytes], [, locked]] = (await client
            .multi()
            .getBuffer(this.entryKey(key))
            .exists(this.fillKey(key))
            .exec()) as [[null, Buffer | null], [null, number]];
          const entry = bytes ? decode(bytes) : undefined;
          return { entry: entry && entry.expiresAt > Date.now() ? entry : undefined, locked: locked === 1 };
        },
        () => ({ entry: undefined, locked: false }),
      );
      if (found.entry || !found.locked) return found.entry;
    }
    return undefined;
  }

  private fillKey(key: string): string {
    return this.redis.key('cache-fill', this.namespace, key);
  }

  private entryKey(key: string): string {
    return this.redis.key('cache', this.namespace, key);
  }

  private indexKey(): string {
    return this.redis.key('cache-index', this.namespace);
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
