import { setting } from '@/lib/server/env';
import { existingSingleton, processSingleton } from '@/lib/server/singleton';
import { SharedBreakers } from './breakers';
import { RedisCacheStore } from './cache-store';
import { type IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore } from './idempotency';
import { RedisRateLimitStore } from './rate-limit-store';
import { SharedRedis, type SharedRedisOptions } from './redis';

/** Everything instances share through one Redis connection (and its subscriber). */
export class SharedState {
  readonly redis: SharedRedis;
  readonly breakers: SharedBreakers;
  readonly idempotency: RedisIdempotencyStore;

  constructor(options: SharedRedisOptions) {
    this.redis = new SharedRedis(options);
    this.breakers = new SharedBreakers(this.redis);
    this.idempotency = new RedisIdempotencyStore(this.redis);
  }

  /** The rate-limit buckets of one integration environment (`namespace`). */
  rateLimitStore(namespace: string): RedisRateLimitStore {
    return new RedisRateLimitStore(this.redis, namespace);
  }

  /** The response cache of one integration environment, bounded to `maxEntries`. */
  cacheStore(namespace: string, maxEntries: number): RedisCacheStore {
    return new RedisCacheStore(this.redis, namespace, maxEntries);
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}

const SINGLETON = 'shared-state';

/** The process's shared state when REDIS_URL is set; null without it (every instance on its own state). */
export function sharedState(): SharedState | null {
  return processSingleton(SINGLETON, () => {
    const url = setting('REDIS_URL');
    if (url === undefined) return null;
    return new SharedState({
      url,
      timeoutMs: setting('BREAKWATER_REDIS_TIMEOUT_MS'),
      prefix: setting('BREAKWATER_REDIS_PREFIX'),
    });
  });
}

/** Where the gateway keeps answers to requests with an Idempotency-Key: Redis when set, else this process. */
export function idempotencyStore(): IdempotencyStore {
  return processSingleton('idempotency-store', () => sharedState()?.idempotency ?? new MemoryIdempotencyStore());
}

/** At shutdown: closes the connections if they were opened. */
export async function closeSharedState(): Promise<void> {
  await existingSingleton<SharedState | null>(SINGLETON)?.close();
}
