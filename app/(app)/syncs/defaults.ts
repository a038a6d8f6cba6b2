import type { SyncFormDefaults } from '@/components/features/syncs/SyncForm';
import { INTERVAL_SECONDS, SYNC_DEFAULTS } from '@/lib/syncs';

/** The form's placeholders and starting values, from the schema's one list of defaults. */
export const syncFormDefaults: SyncFormDefaults = {
  mode: SYNC_DEFAULTS.mode,
  limitParam: SYNC_DEFAULTS.limitParam,
  pageSize: SYNC_DEFAULTS.pageSize,
  maxPages: SYNC_DEFAULTS.maxPages,
  itemsField: SYNC_DEFAULTS.itemsField,
  nextField: SYNC_DEFAULTS.nextField,
  idField: SYNC_DEFAULTS.idField,
  intervalSeconds: SYNC_DEFAULTS.intervalSeconds,
  intervalMin: INTERVAL_SECONDS.min,
  intervalMax: INTERVAL_SECONDS.max,
};
