import { pack, unpack } from './record';
import type { SharedRedis } from './redis';

/** The first answer to a request with an Idempotency-Key, as it is sent again to a repeat. */
export interface IdempotentAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** the body was larger than the bound kept: a replay answers status and headers only */
  bodyOmitted: boolean;
}

/** What a request with a key finds: nothing (it goes, and holds the key), an answer, or a conflict. */
export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: IdempotentAnswer }
  | { kind: 'in-flight' }
  | { kind: 'mismatch' };

/**
 * Where the gateway keeps what it answered to requests with an Idempotency-Key, per scope (integration
 * and caller). `claim` is atomic: of two requests with one key, one is claimed and the other sees it.
 */
export interface IdempotencyStore {
  /** `fingerprint` tells a repeat from another request reusing the key; `pendingMs` bounds a claim whose holder died. */
  claim(scope: string, key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim>;
  /** Keeps the answer for `retentionMs`. */
  complete(
    scope: string,
    key: string,
    fingerprint: string,
    answer: IdempotentAnswer,
    retentionMs: number,
  ): Promise<void>;
  /** Gives the key up (the request got no upstream answer): a repeat goes again. */
  release(scope: string, key: string): Promise<void>;
}

interface MemoryRecord {
  fingerprint: string;
  answer?: IdempotentAnswer;
  expiresAt: number;
}

/** In this process, bounded: past `maxRecords` the oldest record goes first. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();

  constructor(private readonly maxRecords = 10_000) {}

  async claim(scope: string, key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim> {
    const id = `${scope}\n${key}`;
    const now = Date.now();
    const record = this.records.get(id);
    if (record && record.expiresAt > now) return judge(record, fingerprint);
    this.records.delete(id);
    while (this.records.size >= this.maxRecords) this.records.delete(this.records.keys().next().value as string);
    this.records.set(id, { fingerprint, expiresAt: now + pendingMs });
    return { kind: 'claimed' };
  }

  async complete(
    scope: string,
    key: string,
    fingerprint: string,
    answer: IdempotentAnswer,
    retentionMs: number,
  ): Promise<void> {
    this.records.set(`${scope}\n${key}`, { fingerprint, answer, expiresAt: Date.now() + retentionMs });
  }

  async release(scope: string, key: string): Promise<void> {
    this.records.delete(`${scope}\n${key}`);
  }
}

function judge(record: { fingerprint: string; answer?: IdempotentAnswer }, fingerprint: string): IdempotencyClaim {
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  return record.answer ? { kind: 'replay', answer: record.answer } : { kind: 'in-flight' };
}

interface RecordMeta {
  fingerprint: string;
  status?: number;
  headers?: Record<string, string>;
  bodyOmitted?: boolean;
}

/** A claim holds only the fingerprint; a completed record the answer too. */
function encode(fingerprint: string, answer?: IdempotentAnswer): Buffer {
  if (!answer) return pack({ fingerprint } satisfies RecordMeta);
  const { status, headers, bodyOmitted, body } = answer;
  return pack({ fingerprint, status, headers, bodyOmitted } satisfies RecordMeta, body);
}

function decode(bytes: Buffer): { fingerprint: string; answer?: IdempotentAnswer } {
  const { meta, body } = unpack<RecordMeta>(bytes);
  if (meta.status === undefined) return { fingerprint: meta.fingerprint };
  return {
    fingerprint: meta.fingerprint,
    answer: { status: meta.status, headers: meta.headers ?? {}, body, bodyOmitted: meta.bodyOmitted === true },
  };
}

/**
 * In Redis, seen by every instance: `<prefix>idem:<scope>:<key>`, claimed with SET NX (a repeat arriving
 * on any instance finds it). While Redis is unavailable this instance's memory store is used.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly local = new MemoryIdempotencyStore();

  constructor(private readonly redis: SharedRedis) {}

  claim(scope: string, key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim> {
    const recordKey = this.key(scope, key);
    return this.redis.run(
      'idempotency claim',
      async (client) => {
        // SET NX GET (Redis 7): the claim, or the record that was there, in one step.
        const previous = await client.setBuffer(recordKey, encode(fingerprint), 'PX', pendingMs, 'NX', 'GET');
        return previous ? judge(decode(previous), fingerprint) : { kind: 'claimed' as const };
      },
      () => this.local.claim(scope, key, fingerprint, pendingMs),
    );
  }

  complete(
    scope: string,
    key: string,
    fingerprint: string,
    answer: IdempotentAnswer,
    retentionMs: number,
  ): Promise<void> {
    return this.redis.run(
      'idempotency complete',
      async (client) => {
        await client.set(this.key(scope, key), encode(fingerprint, answer), 'PX', Math.ceil(retentionMs));
      },
      () => this.local.complete(scope, key, fingerprint, answer, retentionMs),
    );
  }

  release(scope: string, key: string): Promise<void> {
    return this.redis.run(
      'idempotency release',
      async (client) => {
        await client.del(this.key(scope, key));
      },
      () => this.local.release(scope, key),
    );
  }

  private key(scope: string, key: string): string {
    return this.redis.key('idem', scope, key);
  }
}
