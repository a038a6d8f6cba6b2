import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { log } from '@/lib/logging';
import { SCRIPTS, type ScriptName } from './scripts';

export interface SharedRedisOptions {
  url: string;
  /** Longest wait for one command; past it the caller falls back to local state. */
  timeoutMs: number;
  /** Put before every key and channel name. */
  prefix: string;
  /** Tells this instance's own publications apart; random by default. */
  instanceId?: string;
}

/** What /api/metrics shows of the link: whether calls are on local state now, and how often they were. */
export interface SharedRedisHealth {
  degraded: boolean;
  fallbacks: number;
}

type Listener = (message: string) => void;

/** After a failed or slow command, how long calls use local state before one tries Redis again. */
const RETRY_REDIS_AFTER_MS = 1000;

/**
 * The process's connection to Redis, and the rule every shared store follows: a command that fails or
 * takes longer than `timeoutMs` never fails the call; the store answers from local state instead. The
 * first fallback after a success logs a warning, the first success after fallbacks logs the recovery.
 * While degraded, commands are not even tried for a second after each failure.
 * Commands are not queued while disconnected (they fall back at once); the connection retries forever.
 */
export class SharedRedis {
  readonly client: Redis;
  readonly prefix: string;
  readonly instanceId: string;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly subscriptions: Promise<void>[] = [];
  private state: SharedRedisHealth = { degraded: false, fallbacks: 0 };
  /** while degraded, when a command may try Redis again */
  private retryAt = 0;

  constructor(options: SharedRedisOptions) {
    this.prefix = options.prefix;
    this.instanceId = options.instanceId ?? randomUUID();
    this.client = new Redis(options.url, {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1000, options.timeoutMs),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Connection errors are reported by the commands that fail (once per outage); without a listener
    // ioredis would print each reconnect attempt.
    this.client.on('error', () => {});
    for (const [name, script] of Object.entries(SCRIPTS)) this.client.defineCommand(name, script);
  }

  get health(): SharedRedisHealth {
    return { ...this.state };
  }

  /** `prefix` + parts joined by ':'. */
  key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  /** Resolves once connected (or at once if already); rejects after `ms` without a connection. */
  ready(ms = 5000): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis not ready after ${ms} ms`));
      }, ms);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  /**
   * Runs `command`; if Redis fails or is slower than the timeout, answers `fallback()` instead. `what`
   * names the operation in the warning.
   */
  async run<T>(what: string, command: (redis: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    // A slow Redis would cost every call the whole timeout, several times: after a failure calls go
    // straight to local state for a while, then one tries Redis again.
    if (this.state.degraded && Date.now() < this.retryAt) {
      this.state.fallbacks++;
      return fallback();
    }
    let result: T;
    try {
      result = await command(this.client);
    } catch (error) {
      this.fellBack(what, error);
      return fallback();
    }
    if (this.state.degraded) {
      this.state.degraded = false;
      log.info('Redis answers again: shared state (rate limits, breakers, cache, replays) back in use');
    }
    return result;
  }

  /** Runs one of the Lua scripts of scripts.ts (EVALSHA, loaded on first use). */
  script(redis: Redis, name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const command = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name];
    return command.call(redis, ...keys, ...args);
  }

  /** Publishes `message` on `channel` (prefixed); a failure only counts as a fallback. */
  publish(channel: string, message: string): Promise<void> {
    return this.run(
      `publish ${channel}`,
      async (redis) => {
        await redis.publish(this.key(channel), message);
      },
      () => undefined,
    );
  }

  /**
   * Calls `listener` with every message on `channel` (prefixed), on a connection of its own that
   * resubscribes after a reconnect. Returns the unsubscribe function.
   */
  subscribe(channel: string, listener: Listener): () => void {
    const name = this.key(channel);
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      const subscribing = this.subscriberConnection()
        .subscribe(name)
        .then(() => undefined);
      // Not connected yet: ioredis subscribes every channel again when it (re)connects.
      subscribing.catch(() => {});
      this.subscriptions.push(subscribing);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Resolves once every channel subscribed so far is listened to (messages published before are not heard). */
  async listening(): Promise<void> {
    await Promise.all(this.subscriptions);
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.client.disconnect();
  }

  private subscriberConnection(): Redis {
    if (!this.subscriber) {
      // Subscriptions wait for a connection however long it takes (ioredis replays them once connected);
      // the retry limit of commands would otherwise drop one made during an outage for good.
      this.subscriber = this.client.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        commandTimeout: undefined,
      });
      this.subscriber.on('error', () => {});
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const listener of this.listeners.get(channel) ?? []) {
          try {
            listener(message);
          } catch (error) {
            log.warn({ err: error, channel }, 'a shared-state message could not be applied');
          }
        }
      });
    }
    return this.subscriber;
  }

  private fellBack(what: string, error: unknown): void {
    this.state.fallbacks++;
    this.retryAt = Date.now() + RETRY_REDIS_AFTER_MS;
    if (this.state.degraded) return;
    this.state.degraded = true;
    log.warn(
      { err: error, operation: what },
      'Redis unavailable or slow: using this instance’s local state until it answers again',
    );
  }
}
