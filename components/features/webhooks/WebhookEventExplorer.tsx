'use client';

import Link from 'next/link';
import { AnySelect, byName, FilterActions, LoadOlder, TimeRangeInputs } from '@/components/filters/ListParts';
import { useUrlFilteredPages } from '@/components/filters/useUrlFilter';
import type { Wire } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { formatTime } from '@/components/ui/format';
import type { EventPage } from '@/lib/webhooks';
import { WebhookBulkReplay } from './WebhookBulkReplay';
import { eventStateClass } from './WebhookEventState';

const STATES = ['received', 'forwarding', 'forwarded', 'failed'] as const;

/** Stored webhook events, filtered through the URL (so a search can be shared) and paged by cursor. */
/** `canReplay`: the viewer's role may replay events (operator and up). */
export function WebhookEventExplorer({
  sources,
  canReplay = true,
}: {
  sources: { slug: string; name: string }[];
  canReplay?: boolean;
}) {
  const {
    params,
    filter,
    pages: events,
    search,
    clear,
    get,
  } = useUrlFilteredPages<Wire<EventPage>>('webhook-events', '/api/webhook-events', { refetchInterval: 5000 });
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <>
      <form className="panel filters" onSubmit={search} aria-label="Filter events" key={filter}>
        <AnySelect label="Source" name="source" defaultValue={get('source')} choices={byName(sources)} />
        <AnySelect label="State" name="state" defaultValue={get('state')} choices={STATES} />
        <TimeRangeInputs params={params} />
        <label>
          Text
          <input name="q" defaultValue={get('q')} placeholder="event id, dedup key or header" spellCheck={false} />
        </label>
        <FilterActions onClear={clear} />
      </form>
      {canReplay && <WebhookBulkReplay params={params} key={`bulk-${filter}`} />}
      <section className="panel">
        <DataTable
          label="Webhook events"
          columns={['Received', 'Source', 'Dedup key', 'State', 'Duplicates', 'Event']}
          rows={events.data ? rows : undefined}
          pending={events.isPending}
          error={events.error}
          empty="No event matches. Only verified deliveries are stored; refusals are counted on the webhooks page."
        >
          {(e) => (
            <tr key={e.id} className="clickable">
              <td className="mono">{formatTime(e.receivedAt, true)}</td>
              <td>{e.source.name}</td>
              <td className="mono">{e.dedupKey}</td>
              <td className={eventStateClass(e.state)}>{e.state}</td>
              <td className="num">{e.duplicates}</td>
              <td className="mono">
                <Link href={`/webhooks/events/${encodeURIComponent(e.id)}`}>{e.id}</Link>
              </td>
            </tr>
          )}
        </DataTable>
        {rows.length > 0 && <LoadOlder shown={rows.length} noun="events" pages={events} />}
      </section>
    </>
  );
}
