import {
  type Acquisition,
  MemoryRateLimitStore,
  type RateLimitStore,
  type TokenBucketConfig,
  type UpstreamLimitObservation,
} from '@/lib/resilience';
import type { SharedRedis } from './redis';

/**
 * Token buckets in Redis, shared by every instance: N instances together let through the configured
 * rate, and what one learns from an upstream's X-RateLimit-* headers or a 429 slows the others too.
 * Keys are `<prefix>rl:<namespace>:<bucket key>` (the namespace is the integration and environment, so
 * two workspaces' `crm` never share a bucket). While Redis is unavailable each instance uses a bucket of
 * its own (the whole limit per instance), as without Redis.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly local = new MemoryRateLimitStore();

  constructor(
    private readonly redis: SharedRedis,
    private readonly namespace: string,
  ) {}

  acquire(key: string, config: TokenBucketConfig, maxWaitMs: number, now: number): Promise<Acquisition> {
    return this.redis.run(
      'rate limit',
      async (client) => {
        const [granted, waitMs] = (await this.redis.script(
          client,
          'bwBucket',
          [this.key(key)],
          ['acquire', config.ratePerMs, config.burst, now, maxWaitMs],
        )) as [number, string];
        return { granted: granted === 1, waitMs: Number(waitMs) };
      },
      () => this.local.acquire(key, config, maxWaitMs, now),
    );
  }

  acquirePair(
    callerKey: string,
    integrationKey: string,
    config: TokenBucketConfig,
    maxWaitMs: number,
    now: number,
  ): Promise<Acquisition & { refusedBy?: string }> {
    return this.redis.run(
      'rate limit',
      async (client) => {
        const [granted, waitMs, refusedBy] = (await this.redis.script(
          client,
          'bwBucketPair',
          [this.key(callerKey), this.key(integrationKey)],
          [config.ratePerMs, config.burst, now, maxWaitMs],
        )) as [number, string, number];
        const acquisition = { granted: granted === 1, waitMs: Number(waitMs) };
        return refusedBy === 0
          ? acquisition
          : { ...acquisition, refusedBy: refusedBy === 1 ? callerKey : integrationKey };
      },
      () => this.localPair(callerKey, integrationKey, config, maxWaitMs, now),
    );
  }

  /** The pair on this instance's own buckets, as the limiter takes them from a store without acquirePair. */
  private localPair(
    callerKey: string,
    integrationKey: string,
    config: TokenBucketConfig,
    maxWaitMs: number,
    now: number,
  ): Acquisition & { refusedBy?: string } {
    const caller = this.local.acquire(callerKey, config, maxWaitMs, now);
    if (!caller.granted) return { ...caller, refusedBy: callerKey };
    const shared = this.local.acquire(integrationKey, config, maxWaitMs, now);
    if (!shared.granted) {
      this.local.refund(callerKey, config, now);
      return { ...shared, refusedBy: integrationKey };
    }
    return { granted: true, waitMs: Math.max(caller.waitMs, shared.waitMs) };
  }

  refund(key: string, config: TokenBucketConfig, now: number): Promise<void> {
    return this.redis.run(
      'rate limit refund',
      async (client) => {
        await this.redis.script(client, 'bwBucket', [this.key(key)], ['refund', config.ratePerMs, config.burst, now]);
      },
      () => this.local.refund(key, config, now),
    );
  }

  observe(key: string, observation: UpstreamLimitObservation, config: TokenBucketConfig, now: number): Promise<void> {
    // Sent as a duration: the script adds it to the bucket's own time.
    const blockedFor = observation.blockedUntil === undefined ? '' : Math.max(0, observation.blockedUntil - now);
    return this.redis.run(
      'rate limit observe',
      async (client) => {
        await this.redis.script(
          client,
          'bwBucket',
          [this.key(key)],
          ['observe', config.ratePerMs, config.burst, now, observation.remaining ?? '', blockedFor],
        );
      },
      () => this.local.observe(key, observation, config, now),
    );
  }

  private key(bucket: string): string {
    return this.redis.key('rl', this.namespace, bucket);
  }
}
