import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AttemptWaterfall } from '@/components/features/calls/AttemptWaterfall';
import { ReplayPanel } from '@/components/features/calls/ReplayPanel';
import { formatMs, formatTime } from '@/components/ui/format';
import { HeaderList } from '@/components/ui/HeaderList';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { activeTarget, findIntegration } from '@/lib/integrations';
import { replayCredential, replayDraft } from '@/lib/jobs';
import { roleAtLeast } from '@/lib/model';
import { type CallDetail, callDetail, REPLAYS_SHOWN } from '@/lib/queries';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export const metadata = { title: 'Call · Breakwater' };

function Headers({ title, headers }: { title: string; headers: Record<string, string> }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {Object.keys(headers).length === 0 ? <p className="muted">None recorded.</p> : <HeaderList headers={headers} />}
    </section>
  );
}

function Body({ title, body }: { title: string; body: string | null }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {body ? <pre className="body">{body}</pre> : <p className="muted">No body recorded.</p>}
    </section>
  );
}

function Replays({ call }: { call: CallDetail }) {
  return (
    <section className="panel" aria-labelledby="replays-heading">
      <h2 id="replays-heading">Replays</h2>
      {call.replays.length === 0 ? (
        <p className="muted">Not replayed yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Replays">
            <thead>
              <tr>
                <th>Started</th>
                <th className="num">Status</th>
                <th>Outcome</th>
                <th>Request id</th>
              </tr>
            </thead>
            <tbody>
              {call.replays.map((r) => (
                <tr key={r.id}>
                  <td className="mono">{formatTime(r.startedAt.getTime(), true)}</td>
                  <td className="num">{r.status ?? '–'}</td>
                  <td className={r.outcome === 'success' ? 'status-ok' : 'status-bad'}>
                    {r.outcome.replace('_', ' ')}
                  </td>
                  <td className="mono">
                    <Link href={`/explorer/${encodeURIComponent(r.id)}`}>{r.id}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {call.replays.length >= REPLAYS_SHOWN && (
            <p>
              <Link href={`/explorer?replayOf=${encodeURIComponent(call.id)}`}>Every replay in the explorer</Link>
            </p>
          )}
        </div>
      )}
    </section>
  );
}

export default async function CallPage({ params, searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const db = getDb();
  // A call of another workspace is a 404, as one that does not exist.
  const call = await callDetail(db, access.workspace.id, (await params).id);
  if (!call) notFound();
  const stored = await findIntegration(db, access.workspace.id, call.integration.slug);
  const integration = stored && activeTarget(stored);
  const canReplay = roleAtLeast(access.role ?? 'viewer', 'operator');
  const ok = call.outcome === 'success';
  return (
    <>
      <p>
        <Link href="/explorer">← Explorer</Link>
      </p>
      <div className="page-head">
        <h1 className="mono">
          {call.method} {call.path}
        </h1>
        <span className={ok ? 'status-ok' : 'status-bad'}>
          {call.status ?? '–'} · {call.outcome.replace('_', ' ')}
        </span>
      </div>
      <div className="grid-2">
        <section className="panel" aria-label="Call">
          <dl className="kv">
            <dt>Integration</dt>
            <dd>
              <Link href={`/integrations/${call.integration.slug}`}>{call.integration.name}</Link>
            </dd>
            <dt>Request id</dt>
            <dd className="mono" data-testid="request-id">
              {call.requestId ?? call.id}
            </dd>
            <dt>Upstream tracking id</dt>
            <dd className="mono">{call.upstreamRequestId ?? '–'}</dd>
            <dt>Trace id</dt>
            <dd className="mono" data-testid="trace-id">
              {call.traceId ? <Link href={`/explorer?traceId=${call.traceId}`}>{call.traceId}</Link> : '–'}
            </dd>
            <dt>Started</dt>
            <dd>{formatTime(call.startedAt.getTime(), true)}</dd>
            <dt>Duration</dt>
            <dd>{formatMs(call.durationMs)}</dd>
            <dt>Route</dt>
            <dd className="mono">{call.route}</dd>
            <dt>Error</dt>
            <dd className="mono">{call.errorType ?? '–'}</dd>
            <dt>Kept because</dt>
            <dd>{call.keptBecause}</dd>
            {call.replayOfId && (
              <>
                <dt>Replay of</dt>
                <dd className="mono">
                  <Link href={`/explorer/${encodeURIComponent(call.replayOfId)}`}>{call.replayOfId}</Link>
                </dd>
              </>
            )}
          </dl>
        </section>
        <section className="panel">
          <h2 style={{ marginTop: 0 }}>Policy decisions</h2>
          <ul className="decisions">
            {call.decisions.map((d) => (
              <li key={d.policy}>
                <span className="muted">{d.policy}: </span>
                {d.decision}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="panel" style={{ margin: '12px 0' }}>
        <h2 style={{ marginTop: 0 }}>Attempts</h2>
        {call.attempts.length === 0 ? (
          <p className="muted">No attempt reached the upstream.</p>
        ) : (
          <>
            <AttemptWaterfall
              startedAt={call.startedAt.getTime()}
              durationMs={call.durationMs}
              attempts={call.attempts}
            />
            <div className="table-wrap" style={{ marginTop: 12 }}>
              <table aria-label="Attempts">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Started</th>
                    <th className="num">Delay before</th>
                    <th>Why</th>
                    <th className="num">Status</th>
                    <th className="num">Duration</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {call.attempts.map((a) => (
                    <tr key={a.number}>
                      <td>{a.number}</td>
                      <td className="mono">{formatTime(a.startedAt.getTime())}</td>
                      <td className="num">{a.delayBeforeMs ? formatMs(a.delayBeforeMs) : '–'}</td>
                      <td>{a.delayReason ?? (a.number === 1 ? 'first attempt' : '–')}</td>
                      <td className="num">{a.status ?? '–'}</td>
                      <td className="num">{formatMs(a.durationMs)}</td>
                      <td className="mono">{a.errorType ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      <div className="grid-2" style={{ marginBottom: 12, alignItems: 'start' }}>
        <Replays call={call} />
        {integration && canReplay && (
          <ReplayPanel
            callId={call.id}
            draft={replayDraft(call, integration)}
            credential={replayCredential(integration)}
            idempotencyHeader={integration.policy.idempotency.header.toLowerCase()}
            originalKey={call.requestHeaders[integration.policy.idempotency.header.toLowerCase()] ?? null}
          />
        )}
      </div>
      <div className="grid-2">
        <Headers title="Request headers (redacted)" headers={call.requestHeaders} />
        <Headers title="Response headers (redacted)" headers={call.responseHeaders} />
        <Body title="Request body (redacted, capped)" body={call.requestBody} />
        <Body title="Response body (redacted, capped)" body={call.responseBody} />
      </div>
    </>
  );
}
