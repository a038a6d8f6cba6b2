'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ApiError, fetchJson } from '@/components/ui/api';
import { formatMs, formatTime } from '@/components/ui/format';
import { HeaderList } from '@/components/ui/HeaderList';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { FINISHED_JOB_STATES } from '@/lib/model';
import { type Job, jobStateTone } from './JobList';

/** One job: its request (headers redacted by the API), attempts with links to their calls, result and webhook. */
export function JobDetail({ id }: { id: string }) {
  const job = useQuery({
    queryKey: ['job', id],
    queryFn: () => fetchJson<Job>(`/api/jobs/${encodeURIComponent(id)}`),
    // Refreshes while the worker still has it; a finished job only changes when someone replays it.
    refetchInterval: (query) => (query.state.data && FINISHED_JOB_STATES.has(query.state.data.state) ? 10_000 : 2000),
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
  if (job.isPending)
    return (
      <div className="panel skeleton" style={{ height: 240 }} aria-busy="true">
        <span className="sr-only">Loading the job…</span>
      </div>
    );
  if (job.isError)
    return (
      <p className="alert" role="alert">
        {job.error instanceof ApiError && job.error.status === 404
          ? `No job ${id}.`
          : `Could not load the job: ${job.error.message}`}
      </p>
    );
  const j = job.data;
  return (
    <>
      <div className="page-head">
        <h1 className="mono">
          {j.request.method} {j.request.path}
        </h1>
        <StatusBadge state={j.state} tone={jobStateTone(j.state)} testId="job-state" />
      </div>
      <div className="grid-2">
        <section className="panel" aria-label="Job">
          <dl className="kv">
            <dt>Job id</dt>
            <dd className="mono">{j.id}</dd>
            <dt>Integration</dt>
            <dd>
              <Link href={`/integrations/${encodeURIComponent(j.integration)}`}>{j.integration}</Link>
            </dd>
            <dt>State</dt>
            <dd data-testid="job-detail-state">{j.state}</dd>
            <dt>Attempts</dt>
            <dd data-testid="job-attempts">
              {j.attempts}/{j.maxAttempts}
            </dd>
            <dt>Next attempt</dt>
            <dd>{j.nextAttemptAt ? formatTime(j.nextAttemptAt, true) : '–'}</dd>
            <dt>Idempotency key</dt>
            <dd className="mono" data-testid="job-idempotency-key">
              {j.idempotencyKey}
            </dd>
            <dt>Priority</dt>
            <dd>{j.priority}</dd>
            <dt>Source</dt>
            <dd>{j.source}</dd>
            <dt>Created</dt>
            <dd>{formatTime(j.createdAt, true)}</dd>
            <dt>Finished</dt>
            <dd>{j.finishedAt ? formatTime(j.finishedAt, true) : '–'}</dd>
            <dt>Last error</dt>
            <dd className="mono">{j.lastError ?? '–'}</dd>
            <dt>Completion webhook</dt>
            <dd data-testid="job-webhook">
              {j.completionWebhook ? (
                <>
                  <span className="mono">{j.completionWebhook.url}</span>, signed with the secret in{' '}
                  <span className="mono">{j.completionWebhook.secretEnv}</span>:{' '}
                  {j.completionWebhook.status ?? 'not sent yet'}
                </>
              ) : (
                'none'
              )}
            </dd>
          </dl>
        </section>
        <section className="panel" aria-label="Request">
          <h2>Request</h2>
          <p className="muted">The integration's key is added when the job runs and never shown.</p>
          {Object.keys(j.request.headers).length === 0 ? (
            <p className="muted">No headers.</p>
          ) : (
            <HeaderList headers={j.request.headers} />
          )}
          {j.request.body ? <pre className="body">{j.request.body}</pre> : <p className="muted">No body.</p>}
        </section>
      </div>
      <section className="panel" style={{ margin: '12px 0' }} aria-label="Attempt log">
        <h2>Attempts</h2>
        {j.attemptLog.length === 0 ? (
          <p className="muted">Not attempted yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Attempts">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Started</th>
                  <th className="num">Status</th>
                  <th>Error</th>
                  <th className="num">Duration</th>
                  <th>Call</th>
                </tr>
              </thead>
              <tbody>
                {j.attemptLog.map((a, i) => (
                  <tr key={a.callId} data-testid="job-attempt">
                    <td className="num">
                      {a.number}
                      {/* A replay starts the count again: say so where it did. */}
                      {i > 0 && a.number <= j.attemptLog[i - 1].number && <span className="muted"> (replay)</span>}
                    </td>
                    <td className="mono">{formatTime(a.at, true)}</td>
                    <td className={`num ${a.status && a.status < 400 ? 'status-ok' : 'status-bad'}`}>
                      {a.status ?? '–'}
                    </td>
                    <td className="mono">{a.error ?? '–'}</td>
                    <td className="num">{formatMs(a.durationMs)}</td>
                    <td className="mono">
                      <Link href={`/explorer/${encodeURIComponent(a.callId)}`}>{a.callId}</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="muted">
          Successful calls are sampled into the explorer; a call link may find nothing when its success was not kept.
        </p>
      </section>
      <section className="panel" aria-label="Result">
        <h2>Result</h2>
        {j.result ? (
          <>
            <p>
              Upstream answered <strong data-testid="job-result-status">{j.result.status}</strong>
            </p>
            {j.result.body ? <pre className="body">{j.result.body}</pre> : <p className="muted">Empty body.</p>}
          </>
        ) : (
          <p className="muted">No answer yet.</p>
        )}
      </section>
    </>
  );
}
