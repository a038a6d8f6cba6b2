import { log } from '@/lib/logging';
import type { BreakerChange, BreakerSync, CircuitBreaker } from '@/lib/resilience';
import type { SharedRedis } from './redis';

const CHANNEL = 'breakers';

interface BreakerMessage extends BreakerChange {
  instance: string;
  namespace: string;
}

function isBreakerMessage(value: unknown): value is BreakerMessage {
  const m = value as BreakerMessage;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.instance === 'string' &&
    typeof m.namespace === 'string' &&
    ['open', 'closed', 'isolated'].includes(m.state) &&
    typeof m.reason === 'string' &&
    typeof m.openUntil === 'number'
  );
}

/**
 * Breakers shared by every instance. A transition made on one instance (opened by its failures, closed by
 * its probe, isolated or reset by an operator there) is written to `<prefix>breaker:<namespace>` and
 * published on `<prefix>breakers`; every other instance's breaker of that namespace follows it. A breaker
 * attached later (a new instance, a changed policy) starts from the stored state. Half-open probes are
 * counted per open period in Redis, so the cluster sends `halfOpenProbes`, not that many per instance.
 */
export class SharedBreakers {
  private readonly attached = new Map<string, Set<CircuitBreaker>>();
  private subscribed = false;

  constructor(private readonly redis: SharedRedis) {}

  /** Shares `breaker` under `namespace` (integration and environment); returns the function that stops it. */
  attach(namespace: string, breaker: CircuitBreaker): () => void {
    this.subscribe();
    let set = this.attached.get(namespace);
    if (!set) {
      set = new Set();
      this.attached.set(namespace, set);
    }
    set.add(breaker);
    breaker.shareWith(this.syncFor(namespace));
    void this.redis.run(
      'breaker state',
      async (client) => {
        const stored = await client.get(this.stateKey(namespace));
        if (stored) breaker.follow(JSON.parse(stored) as BreakerChange);
      },
      () => undefined,
    );
    return () => {
      breaker.shareWith(undefined);
      set.delete(breaker);
      if (set.size === 0) this.attached.delete(namespace);
    };
  }

  private syncFor(namespace: string): BreakerSync {
    return {
      publish: (change) => void this.publish(namespace, change),
      claimProbe: (openUntil, probes, ttlMs) =>
        this.redis.run(
          'breaker probe',
          async (client) =>
            (await this.redis.script(
              client,
              'bwProbe',
              [this.redis.key('probe', namespace, String(openUntil))],
              [probes, ttlMs],
            )) === 1,
          // Without Redis the probe is this instance's own, as with a local breaker.
          () => true,
        ),
    };
  }

  private async publish(namespace: string, change: BreakerChange): Promise<void> {
    const message: BreakerMessage = { ...change, instance: this.redis.instanceId, namespace };
    const text = JSON.stringify(message);
    await this.redis.run(
      'breaker publish',
      async (client) => {
        const key = this.stateKey(namespace);
        const multi = client.multi();
        if (change.state === 'closed') multi.del(key);
        else if (change.state === 'open') multi.set(key, text, 'PX', Math.max(1, change.openUntil - Date.now()));
        else multi.set(key, text);
        multi.publish(this.redis.key(CHANNEL), text);
        await multi.exec();
      },
      () => undefined,
    );
  }

  private subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    this.redis.subscribe(CHANNEL, (text) => {
      const message: unknown = JSON.parse(text);
      if (!isBreakerMessage(message)) {
        log.warn('a breaker message of another shape was ignored');
        return;
      }
      if (message.instance === this.redis.instanceId) return;
      for (const breaker of this.attached.get(message.namespace) ?? []) breaker.follow(message);
    });
  }

  private stateKey(namespace: string): string {
    return this.redis.key('breaker', namespace);
  }
}
