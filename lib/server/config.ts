import { flushTokenUsage, flushTokenUse, loadTokenSnapshot, loadTokenUsage } from '@/lib/auth';
import { type Db, getDb, onConfigBumped, readConfigVersion } from '@/lib/db';
import { loadIntegrationSnapshot } from '@/lib/integrations';
import { log } from '@/lib/logging';
import { sharedState } from '@/lib/shared-state';
import { reportConfigFreshness } from '@/lib/telemetry';
import { loadWebhookSourceSnapshot } from '@/lib/webhooks';
import { setting } from './env';

/**
 * The integration the gateway serves under `slug` in a token's workspace, from the in-memory snapshot keyed
 * by (workspace id, slug): two workspaces may both have a "crm".
 */
export { integrationForGateway } from '@/lib/integrations';

import { processSingleton } from './singleton';

/** How often remembered token uses (lastUsedAt) and call counts (quotas) are written, each in one batch. */
const TOKEN_USE_FLUSH_MS = 10_000;

interface ConfigState {
  /** the version the snapshots were read at; null until the first load */
  version: number | null;
  /** when the snapshots were last confirmed current (ms since the epoch) */
  confirmedAt: number;
  refreshFailures: number;
  /** the poll is failing: warned once, recovery logged once */
  failing: boolean;
  /** the next poll and the token last-use batch timer, while running */
  poll?: NodeJS.Timeout;
  tokenUse?: NodeJS.Timeout;
  /** the token call counts' batches are failing: warned once */
  usageFailing?: boolean;
  /** the check under way, so a published change and the poll never reload twice at once */
  checking?: Promise<void>;
  /** stops publishing and hearing config changes over Redis */
  stopSharing?: () => void;
}

const state = processSingleton<ConfigState>('data-plane-config', () => ({
  version: null,
  confirmedAt: 0,
  refreshFailures: 0,
  failing: false,
}));

/**
 * Reads every snapshot the data plane serves from memory: integrations, tokens, webhook sources. The
 * version is read first: a change committed before it is bumped, so rows read after it include every
 * change up to that version.
 */
async function reload(db: Db): Promise<void> {
  const version = await readConfigVersion(db);
  await Promise.all([loadIntegrationSnapshot(db), loadTokenSnapshot(db), loadWebhookSourceSnapshot(db)]);
  state.version = version;
}

/** One check at a time: a caller arriving during one waits for it, then checks again. */
async function refresh(db: Db): Promise<void> {
  while (state.checking) await state.checking;
  state.checking = check(db).finally(() => {
    state.checking = undefined;
  });
  await state.checking;
}

/** One poll: reload when another instance changed the version. A failure keeps the last snapshot. */
async function check(db: Db): Promise<void> {
  try {
    const version = await readConfigVersion(db);
    if (version !== state.version) await reload(db);
    state.confirmedAt = Date.now();
    if (state.failing) {
      state.failing = false;
      log.info({ version: state.version }, 'data-plane configuration refreshed again; database reachable');
    }
  } catch (error) {
    state.refreshFailures++;
    if (!state.failing) {
      state.failing = true;
      log.warn(
        { err: error },
        'data-plane configuration refresh failed: serving the last snapshot until the database answers',
      );
    }
  }
}

async function writeTokenUse(db: Db): Promise<void> {
  try {
    await flushTokenUse(db);
  } catch (error) {
    log.debug({ err: error }, 'token last-use batch not written; kept for the next batch');
  }
  try {
    await flushTokenUsage(db);
    state.usageFailing = false;
  } catch (error) {
    // Warned once per failing streak (an outage), not every batch; the counts wait in memory.
    if (!state.usageFailing)
      log.warn({ err: error }, 'token call counts (quotas) not written; kept for the next batch');
    state.usageFailing = true;
  }
}

/**
 * Loads the data plane's configuration (integrations, tokens, webhook sources) into memory and starts
 * the poller (every BREAKWATER_CONFIG_POLL_MS) and the token last-use batches. Awaited by
 * startServerServices before the server listens; a failure here stops the start (there is nothing to serve).
 */
export async function loadDataPlaneConfig(): Promise<void> {
  const db = getDb();
  await reload(db);
  // The month's calls per token so far: a restart does not reset a quota.
  await loadTokenUsage(db);
  state.confirmedAt = Date.now();
  reportConfigFreshness(() => ({
    refreshFailures: state.refreshFailures,
    ageSeconds: (Date.now() - state.confirmedAt) / 1000,
  }));
  if (state.tokenUse) return;
  const pollMs = setting('BREAKWATER_CONFIG_POLL_MS');
  // The next poll is scheduled after this one ends, so a slow database never stacks polls up.
  const schedulePoll = () => {
    state.poll = setTimeout(async () => {
      await refresh(db);
      if (state.tokenUse) schedulePoll();
    }, pollMs).unref();
  };
  state.tokenUse = setInterval(() => void writeTokenUse(db), TOKEN_USE_FLUSH_MS).unref();
  schedulePoll();
  state.stopSharing = shareConfigChanges(db);
}

const CONFIG_CHANNEL = 'config';

/**
 * With Redis: every bump made here is published, and a bump published by another instance triggers the
 * same check the poll makes, so a change is served everywhere within a round trip rather than a poll
 * period. The poll stays as the fallback (a missed message, Redis down).
 */
function shareConfigChanges(db: Db): (() => void) | undefined {
  const shared = sharedState();
  if (!shared) return undefined;
  const { redis } = shared;
  const stopPublishing = onConfigBumped((version) => {
    void redis.publish(CONFIG_CHANNEL, JSON.stringify({ instance: redis.instanceId, version }));
  });
  const stopHearing = redis.subscribe(CONFIG_CHANNEL, (text) => {
    const { instance, version } = JSON.parse(text) as { instance?: unknown; version?: unknown };
    if (instance === redis.instanceId || typeof version !== 'number' || version === state.version) return;
    void refresh(db);
  });
  return () => {
    stopPublishing();
    stopHearing();
  };
}

/** At shutdown: stops polling and writes the remembered token uses. */
export async function stopDataPlaneConfig(): Promise<void> {
  clearTimeout(state.poll);
  clearInterval(state.tokenUse);
  state.poll = state.tokenUse = undefined;
  state.stopSharing?.();
  state.stopSharing = undefined;
  await writeTokenUse(getDb());
}
