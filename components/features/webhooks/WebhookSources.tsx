'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { type ChartRow, type Series, TimeChart } from '@/components/charts/TimeChart';
import { type Range, resolveRange, TimeRangePicker } from '@/components/filters/TimeRangePicker';
import { useUrlRange } from '@/components/filters/useUrlRange';
import { fetchJson, type Wire } from '@/components/ui/api';
import { FormError } from '@/components/ui/FormError';
import { formatCount } from '@/components/ui/format';
import type { OutcomeTotals, WebhookSourceView } from '@/lib/webhooks';
import { WebhookSourceForm } from './WebhookSourceForm';

type Source = Wire<WebhookSourceView> & { counts: OutcomeTotals | null };
type CountSeries = { stepSeconds: number; totals: OutcomeTotals; points: ({ at: string } & OutcomeTotals)[] };

const REJECTED = [
  'bad_signature',
  'stale',
  'missing_headers',
  'too_large',
  'unsupported_body',
  'misconfigured',
] as const;
const LABELS: Record<string, string> = {
  received: 'received',
  duplicate: 'duplicates',
  forwarded: 'forwarded',
  failed: 'failed',
  bad_signature: 'bad signature',
  stale: 'stale',
  missing_headers: 'missing headers',
  too_large: 'too large',
  unsupported_body: 'not text',
  misconfigured: 'misconfigured',
};
const SERIES: Series[] = [
  { key: 'received', label: 'received', color: 'var(--chart-1)', kind: 'bar', stackId: 'in' },
  { key: 'duplicate', label: 'duplicates', color: 'var(--chart-6)', kind: 'bar', stackId: 'in' },
  { key: 'rejected', label: 'rejected', color: 'var(--chart-4)', kind: 'bar', stackId: 'in' },
  { key: 'forwarded', label: 'forwarded', color: 'var(--chart-2)' },
  { key: 'failed', label: 'failed', color: 'var(--chart-3)' },
];

const rejectedOf = (t: OutcomeTotals) => REJECTED.reduce((sum, r) => sum + t[r], 0);

function query(range: Range): string {
  const { from, to } = resolveRange(range);
  return new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }).toString();
}

function SourceChart({
  slug,
  name,
  range,
  onZoom,
}: {
  slug: string;
  name: string;
  range: Range;
  onZoom: (range: Range) => void;
}) {
  const live = range.preset !== 'custom';
  const series = useQuery({
    queryKey: ['webhook-counts', slug, live ? range.preset : `${range.from}-${range.to}`],
    queryFn: () => fetchJson<CountSeries>(`/api/webhook-sources/${encodeURIComponent(slug)}/counts?${query(range)}`),
    refetchInterval: live ? 5000 : false,
    placeholderData: keepPreviousData,
  });
  const { from, to } = resolveRange(range);
  const rows: ChartRow[] = (series.data?.points ?? []).map((p) => ({
    at: Date.parse(p.at),
    received: p.received,
    duplicate: p.duplicate,
    rejected: rejectedOf(p),
    forwarded: p.forwarded,
    failed: p.failed,
  }));
  return (
    <TimeChart
      title={`${name}: deliveries per ${series.data ? series.data.stepSeconds / 60 : 1} min`}
      data={rows}
      series={SERIES}
      from={from}
      to={to}
      format={(v) => String(Math.round(v))}
      unit="deliveries"
      minYMax={1}
      onZoom={(f, t) => onZoom({ preset: 'custom', from: f, to: t })}
      wholeNumbers
      empty={rows.every((r) => !r.received && !r.rejected && !r.duplicate)}
    />
  );
}

function Totals({ counts }: { counts: OutcomeTotals | null }) {
  const t = counts ?? ({} as Partial<OutcomeTotals>);
  const n = (key: keyof OutcomeTotals) => formatCount(t[key] ?? 0);
  const rejections = REJECTED.filter((r) => (t[r] ?? 0) > 0);
  return (
    <dl style={{ display: 'flex', flexWrap: 'wrap', gap: '8px 24px', margin: '8px 0 12px' }}>
      {(['received', 'duplicate', 'forwarded', 'failed'] as const).map((key) => (
        <div key={key} className="stat">
          <dt>{LABELS[key]}</dt>
          <dd
            data-testid={`count-${key}`}
            className={key === 'failed' && (t.failed ?? 0) > 0 ? 'status-bad' : undefined}
          >
            {n(key)}
          </dd>
        </div>
      ))}
      <div className="stat">
        <dt>rejected</dt>
        <dd data-testid="count-rejected">{formatCount(counts ? rejectedOf(counts) : 0)}</dd>
      </div>
      <div className="stat">
        <dt>by reason</dt>
        <dd>
          {rejections.length === 0
            ? 'none'
            : rejections.map((r) => (
                <span key={r} className="badge" style={{ marginRight: 6 }} data-testid={`reason-${r}`}>
                  {LABELS[r]}: {n(r)}
                </span>
              ))}
        </dd>
      </div>
    </dl>
  );
}

/** The sources with their counts over a chosen range, a chart each, and the create/edit form. */
/** `canEdit`: the viewer's role may create and change sources (editor and up). */
export function WebhookSources({
  integrations,
  canEdit = true,
}: {
  integrations: { slug: string; name: string }[];
  canEdit?: boolean;
}) {
  const queryClient = useQueryClient();
  const [range, setRange] = useUrlRange('1h');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const live = range.preset !== 'custom';
  const sources = useQuery({
    queryKey: ['webhook-sources', live ? range.preset : `${range.from}-${range.to}`],
    queryFn: () => fetchJson<{ sources: Source[] }>(`/api/webhook-sources?${query(range)}`),
    refetchInterval: live ? 5000 : false,
    placeholderData: keepPreviousData,
  });
  function saved(source: Wire<WebhookSourceView>) {
    setEditing(null);
    setNotice(`Saved ${source.name}. Senders post to ${source.endpoint}.`);
    void queryClient.invalidateQueries({ queryKey: ['webhook-sources'] });
  }
  const list = sources.data?.sources ?? [];
  const current = list.find((s) => s.slug === editing);
  return (
    <>
      <div className="page-head">
        <h1>Inbound webhooks</h1>
        <Link href="/webhooks/events">Events</Link>
        <span className="spacer" />
        {canEdit && (
          <button type="button" onClick={() => setEditing('new')} disabled={editing === 'new'}>
            New source
          </button>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {editing && (
        <WebhookSourceForm
          key={editing}
          source={current}
          integrations={integrations}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      <TimeRangePicker range={range} onChange={setRange} />
      <FormError error={sources.error} prefix="Could not load sources: " />
      {sources.data && list.length === 0 && (
        <div className="panel empty">
          <p>No webhook source yet.</p>
          <p className="muted">
            A source names the sender's signature scheme, the variable holding its secret, and the integration that
            receives the verified events.
          </p>
        </div>
      )}
      {list.map((s) => (
        <section key={s.slug} className="panel" style={{ margin: '12px 0' }} aria-label={s.name}>
          <div className="page-head" style={{ marginBottom: 0 }}>
            <h2 style={{ margin: 0 }}>{s.name}</h2>
            <code>POST {s.endpoint}</code>
            <span className="muted">
              {s.scheme} → {s.integration}
              {s.forwardPath}
            </span>
            <span className={s.secretConfigured ? 'status-ok' : 'status-bad'}>
              <code>{s.secretEnv}</code> {s.secretConfigured ? 'set' : 'not set on the server'}
            </span>
            {s.previousSecretEnv && (
              <span className="muted">
                rotating from <code>{s.previousSecretEnv}</code>
              </span>
            )}
            <span className="spacer" />
            <Link href={`/webhooks/events?source=${encodeURIComponent(s.slug)}`}>Events</Link>
            {canEdit && (
              <button type="button" className="secondary" onClick={() => setEditing(s.slug)}>
                Edit
              </button>
            )}
          </div>
          <Totals counts={s.counts} />
          <SourceChart slug={s.slug} name={s.name} range={range} onZoom={setRange} />
        </section>
      ))}
    </>
  );
}
