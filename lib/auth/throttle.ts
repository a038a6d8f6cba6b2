import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Sign-in throttling. Three counters, each in memory now (rate-limiter-flexible has Redis stores with the
 * same interface, for several instances later):
 *
 * - per client address: 20 failed sign-ins per 15 min over any names, then blocked for 1 s, and each
 *   further failure doubles the block (up to 15 min) for 24 h. One address guessing many names is stopped.
 * - per name and address: 5 consecutive failures block that pair for 30 s, doubling the same way; a
 *   success clears it. A stranger guessing `admin` blocks only their own pair, never the admin signing
 *   in from elsewhere.
 * - per name: failures from every address only slow each sign-in to that name (up to 0.5 s), the correct
 *   password included, and never refuse one: nobody can lock the admin out.
 *
 * Names are counted only when the user exists, so a stranger's made-up names cost no memory: what is held
 * grows with the addresses that failed in the last 24 h (IPv6 by /64), not with the guesses.
 */
const ADDRESS_FREE_FAILURES = 20;
const PAIR_FREE_FAILURES = 5;
const NAME_FREE_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;
const MAX_BLOCK_SECONDS = 15 * 60;
const ESCALATION_SECONDS = 24 * 3600;
const NAME_DELAY_STEP_MS = 25;
const MAX_NAME_DELAY_MS = 500;

/** A counter of failures that blocks its key with a doubling duration once the free ones are spent. */
class EscalatingBlock {
  private readonly attempts: RateLimiterMemory;
  private readonly escalations = new RateLimiterMemory({
    points: Number.MAX_SAFE_INTEGER,
    duration: ESCALATION_SECONDS,
  });

  constructor(
    private readonly free: number,
    private readonly firstBlockSeconds: number,
  ) {
    this.attempts = new RateLimiterMemory({ points: free, duration: WINDOW_SECONDS });
  }

  /**
   * Counts an attempt before the password is checked, so parallel guesses cannot overtake the count.
   * After a block, one attempt spends the whole allowance: the next failure blocks again, twice as long.
   * Returns the seconds to wait, or 0 to go ahead.
   */
  async take(key: string): Promise<number> {
    try {
      await this.attempts.consume(key, await this.cost(key));
      return 0;
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
      throw refused;
    }
  }

  /** Gives an attempt back (it succeeded, or another counter refused it before the password was checked). */
  async giveBack(key: string): Promise<void> {
    await this.attempts.reward(key, await this.cost(key));
  }

  async failed(key: string): Promise<void> {
    const spent = (await this.attempts.get(key))?.consumedPoints ?? 0;
    if (spent < this.free) return;
    const { consumedPoints } = await this.escalations.consume(key);
    await this.attempts.block(key, Math.min(this.firstBlockSeconds * 2 ** (consumedPoints - 1), MAX_BLOCK_SECONDS));
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.attempts.delete(key), this.escalations.delete(key)]);
  }

  private async cost(key: string): Promise<number> {
    return (await this.escalations.get(key)) ? this.free : 1;
  }
}

type ThrottleDecision = { go: true; delayMs: number } | { go: false; retryAfterSeconds: number };

export class LoginThrottle {
  private readonly byAddress = new EscalatingBlock(ADDRESS_FREE_FAILURES, 1);
  private readonly byPair = new EscalatingBlock(PAIR_FREE_FAILURES, 30);
  private readonly byName = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: WINDOW_SECONDS });

  /** Before the password is checked: refuse (429) or go, after a delay that grows with the name's failures. */
  async admit(address: string, username: string, userExists: boolean): Promise<ThrottleDecision> {
    const addressWait = await this.byAddress.take(address);
    if (addressWait > 0) return { go: false, retryAfterSeconds: addressWait };
    if (!userExists) return { go: true, delayMs: 0 };
    const pairWait = await this.byPair.take(pairKey(username, address));
    if (pairWait > 0) {
      await this.byAddress.giveBack(address);
      return { go: false, retryAfterSeconds: pairWait };
    }
    const nameFailures = (await this.byName.get(username))?.consumedPoints ?? 0;
    const excess = Math.max(nameFailures - NAME_FREE_FAILURES, 0);
    return { go: true, delayMs: Math.min(excess * NAME_DELAY_STEP_MS, MAX_NAME_DELAY_MS) };
  }

  async failed(address: string, username: string, userExists: boolean): Promise<void> {
    await this.byAddress.failed(address);
    if (!userExists) return;
    await this.byPair.failed(pairKey(username, address));
    await this.byName.penalty(username);
  }

  /** A correct password: the pair starts afresh, the address gets its attempt back; the name's count stays. */
  async succeeded(address: string, username: string): Promise<void> {
    await this.byAddress.giveBack(address);
    await this.byPair.clear(pairKey(username, address));
  }
}

function pairKey(username: string, address: string): string {
  return `${username}\n${address}`;
}
