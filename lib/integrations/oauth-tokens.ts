import { processSingleton } from '@/lib/server/singleton';

/** An access token as the token endpoint gave it, with when it stops being used (ms on the cache's clock). */
export interface IssuedToken {
  value: string;
  expiresAt: number;
  /** which client credential got it: the primary, or the secondary during a rotation */
  credential: 'primary' | 'secondary';
}

interface Entry {
  /** what the token was issued for: a changed configuration drops it */
  configKey: string;
  token?: IssuedToken;
  /** the one token request under way, which every caller needing a token waits on */
  inFlight?: Promise<IssuedToken>;
  /** tokens issued lately, still scrubbed from telemetry after they are replaced */
  recent: string[];
}

// A replaced token may still be on calls being recorded: the last few stay on the redaction list.
const RECENT_TOKENS = 4;

/**
 * Access tokens per integration, in memory only (never stored). A token is used until `skewMs` before it
 * expires; concurrent callers that need a new one share a single token request (single flight). `now`
 * is the clock the expiry is judged on: tests put a fake clock here.
 */
export class TokenCache {
  now: () => number = Date.now;
  private readonly entries = new Map<string, Entry>();

  /**
   * The integration's current token, requested with `fetchToken` when there is none, it is about to
   * expire, or `configKey` changed. A failed request is not cached: the next caller asks again.
   */
  async token(
    id: string,
    configKey: string,
    skewMs: number,
    fetchToken: () => Promise<{ value: string; expiresInMs: number; credential: IssuedToken['credential'] }>,
  ): Promise<IssuedToken> {
    let entry = this.entries.get(id);
    if (!entry || entry.configKey !== configKey) {
      entry = { configKey, recent: entry?.recent ?? [] };
      this.entries.set(id, entry);
    }
    if (entry.token && this.now() < entry.token.expiresAt - skewMs) return entry.token;
    if (entry.inFlight) return entry.inFlight;
    const current = entry;
    const request = fetchToken().then(({ value, expiresInMs, credential }) => {
      const token = { value, expiresAt: this.now() + expiresInMs, credential };
      if (this.entries.get(id) === current) current.token = token;
      current.recent = [value, ...current.recent.filter((v) => v !== value)].slice(0, RECENT_TOKENS);
      return token;
    });
    current.inFlight = request;
    const clear = () => {
      if (current.inFlight === request) current.inFlight = undefined;
    };
    request.then(clear, clear);
    return request;
  }

  /**
   * Drops the token the upstream refused, unless another caller already replaced it: many calls refused
   * with the same stale token cause one new token request, not one each.
   */
  invalidate(id: string, value: string): void {
    const entry = this.entries.get(id);
    if (entry?.token?.value === value) entry.token = undefined;
  }

  /** Tokens issued lately for the integration: values telemetry must scrub. */
  recentTokens(id: string): readonly string[] {
    return this.entries.get(id)?.recent ?? [];
  }
}

/** The process's one token cache. */
export const oauth2Tokens = () => processSingleton('oauth2-tokens', () => new TokenCache());
