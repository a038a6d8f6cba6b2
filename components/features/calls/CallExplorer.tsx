'use client';

import Link from 'next/link';
import { useState } from 'react';
import {
  AnySelect,
  byName,
  FilterActions,
  LoadOlder,
  listState,
  TimeRangeInputs,
} from '@/components/filters/ListParts';
import { useUrlFilteredPages } from '@/components/filters/useUrlFilter';
import type { Wire } from '@/components/ui/api';
import { formatMs, formatTime } from '@/components/ui/format';
import { ENVIRONMENTS, OUTCOMES, outcomeTone } from '@/lib/model';
import type { CallPage } from '@/lib/queries';
import { BulkReplay } from './BulkReplay';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const TEXT_FILTERS = [
  { name: 'route', label: 'Route contains', placeholder: '/v1/charges/:id' },
  { name: 'requestId', label: 'Request id', placeholder: 'x-request-id' },
  { name: 'upstreamRequestId', label: 'Upstream tracking id', placeholder: "the upstream's own id" },
  { name: 'traceId', label: 'Trace id', placeholder: '32 hex digits' },
  { name: 'replayOf', label: 'Replay of', placeholder: "the original's request id" },
] as const;

const ATTEMPT_CHOICES = [
  { value: '5xx', label: 'Any attempt 5xx' },
  { value: '4xx', label: 'Any attempt 4xx' },
  { value: 'timeout', label: 'Any attempt timed out' },
];
/** How often the live tail reads the newest calls again. */
const LIVE_TAIL_MS = 2000;
const SERVED_BY = {
  cache: { label: 'cache', title: 'answered from the cache: no upstream call' },
  breaker: { label: 'short-circuit', title: 'refused by the open breaker: no upstream call' },
} as const;

/** The call log, filtered through the URL (so a search can be shared) and paged by cursor. */
/** `canReplay`: the viewer's role may replay (operator and up); otherwise no bulk replay is offered. */
export function CallExplorer({
  integrations,
  canReplay = true,
}: {
  integrations: { slug: string; name: string }[];
  canReplay?: boolean;
}) {
  const [live, setLive] = useState(false);
  const {
    params,
    filter,
    pages: calls,
    search,
    clear,
    get,
  } = useUrlFilteredPages<Wire<CallPage>>('calls', '/api/calls', { refetchInterval: live ? LIVE_TAIL_MS : undefined });
  const rows = calls.data?.pages.flatMap((p) => p.calls) ?? [];
  return (
    <>
      <form className="panel filters" onSubmit={search} aria-label="Filter calls" key={filter}>
        <AnySelect
          label="Integration"
          name="integration"
          defaultValue={get('integration')}
          choices={byName(integrations)}
        />
        <AnySelect
          label="Environment"
          name="environment"
          defaultValue={get('environment')}
          choices={[...ENVIRONMENTS]}
        />
        <AnySelect
          label="Outcome"
          name="outcome"
          defaultValue={get('outcome')}
          choices={OUTCOMES.map((o) => ({ value: o.key, label: o.label }))}
        />
        <AnySelect label="Attempts" name="attempt" defaultValue={get('attempt')} choices={ATTEMPT_CHOICES} />
        <label>
          Status
          <input name="status" type="number" min={100} max={599} defaultValue={get('status')} placeholder="503" />
        </label>
        <AnySelect label="Method" name="method" defaultValue={get('method')} choices={METHODS} />
        <TimeRangeInputs params={params} />
        <AnySelect
          label="Replays"
          name="replays"
          defaultValue={get('replays')}
          choices={[
            { value: 'only', label: 'Replays only' },
            { value: 'exclude', label: 'Originals only' },
          ]}
        />
        <label>
          Min duration (ms)
          <input name="minDurationMs" type="number" min={0} defaultValue={get('minDurationMs')} placeholder="1000" />
        </label>
        {TEXT_FILTERS.map((f) => (
          <label key={f.name}>
            {f.label}
            <input name={f.name} defaultValue={get(f.name)} placeholder={f.placeholder} spellCheck={false} />
          </label>
        ))}
        <FilterActions onClear={clear} />
      </form>
      <p className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.target.checked)} /> Live tail (every{' '}
          {LIVE_TAIL_MS / 1000} s)
        </label>{' '}
        <Link href={`/explorer/issues${params.get('ws') ? `?ws=${params.get('ws')}` : ''}`}>
          Issues: failures grouped
        </Link>
      </p>
      {canReplay && <BulkReplay params={params} key={`bulk-${filter}`} />}
      {listState(calls, rows.length, {
        noun: 'call',
        height: 240,
        empty:
          'The log keeps every failed, slow, limited or replayed call and a sample of successes; counts are on the overview.',
      }) ?? (
        <div className="panel table-wrap">
          <table aria-label="Calls">
            <thead>
              <tr>
                <th>Started</th>
                <th>Integration</th>
                <th>Method</th>
                <th>Route</th>
                <th className="num">Status</th>
                <th>Outcome</th>
                <th className="num">Duration</th>
                <th className="num">Attempts</th>
                <th>Request id</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                // The request id's link covers the whole row (CSS): a click anywhere opens the call, even when
                // the table scrolls sideways at 1024 px and that column is out of view.
                <tr key={c.id} className="clickable row-link">
                  <td className="mono">{formatTime(c.startedAt, true)}</td>
                  <td title={c.integration.name}>
                    {c.integration.name}
                    {c.environment === 'sandbox' && (
                      <>
                        {' '}
                        <span className="badge">sandbox</span>
                      </>
                    )}
                  </td>
                  <td className="mono">{c.method}</td>
                  <td className="mono" title={c.route === c.path ? c.path : `${c.route}\n${c.path}`}>
                    {c.route}
                  </td>
                  <td className="num">{c.status ?? '–'}</td>
                  <td className={`status-${outcomeTone(c.outcome)}`}>
                    {c.outcome.replace('_', ' ')}
                    <ServedBy servedBy={c.servedBy} />
                  </td>
                  <td className="num">{formatMs(c.durationMs)}</td>
                  <td className="num">{c.attemptCount}</td>
                  <td className="mono">
                    <Link
                      className="row-link-target"
                      href={`/explorer/${encodeURIComponent(c.id)}`}
                      title={c.requestId ?? c.id}
                    >
                      {c.requestId ?? c.id}
                    </Link>
                    {c.replayOfId && (
                      <>
                        {' '}
                        <span className="badge" title={`replay of ${c.replayOfId}`}>
                          replay
                        </span>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadOlder shown={rows.length} noun="calls" pages={calls} />
        </div>
      )}
    </>
  );
}

function ServedBy({ servedBy }: { servedBy: keyof typeof SERVED_BY | null }) {
  if (!servedBy) return null;
  return (
    <>
      {' '}
      <span className="badge" title={SERVED_BY[servedBy].title}>
        {SERVED_BY[servedBy].label}
      </span>
    </>
  );
}
