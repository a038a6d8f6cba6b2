'use client';

import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AnySelect, byName, LoadOlder, listState } from '@/components/filters/ListParts';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatTime } from '@/components/ui/format';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { JobView } from '@/lib/jobs';
import { JOB_STATES } from '@/lib/model';
import { QUEUE_REFRESH_MS } from './QueueStats';

export type Job = Wire<JobView>;

const STATE_TONE: Record<string, string> = {
  queued: 'muted',
  running: 'status-warn',
  done: 'status-ok',
  dead: 'status-bad',
  discarded: 'muted',
};

/** The badge tone of a job state. */
export const jobStateTone = (state: string) => STATE_TONE[state] ?? '';

const PAGE_SIZE = 100;

/** The newest jobs, filtered by state and integration, refreshed every few seconds; older ones a page at a time. */
export function JobList({ integrations }: { integrations: { slug: string; name: string }[] }) {
  const [state, setState] = useState('');
  const [integration, setIntegration] = useState('');
  const jobs = useInfiniteQuery({
    queryKey: ['jobs', state, integration],
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ state, integration, limit: String(PAGE_SIZE) });
      if (pageParam) query.set('cursor', pageParam);
      return fetchJson<{ jobs: Job[]; nextCursor: string | null }>(`/api/jobs?${query}`);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: QUEUE_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const rows = jobs.data?.pages.flatMap((p) => p.jobs) ?? [];
  return (
    <section aria-label="Jobs">
      <fieldset className="panel filters" style={{ marginInline: 0 }}>
        <legend className="sr-only">Filter jobs</legend>
        <AnySelect label="State" value={state} onChange={(e) => setState(e.target.value)} choices={JOB_STATES} />
        <AnySelect
          label="Integration"
          value={integration}
          onChange={(e) => setIntegration(e.target.value)}
          choices={byName(integrations)}
        />
      </fieldset>
      {listState(jobs, rows.length, {
        noun: 'job',
        height: 200,
        empty: 'Enqueue one below, or through POST /api/jobs.',
      }) ?? (
        <div className="panel table-wrap">
          <table aria-label="Job list">
            <thead>
              <tr>
                <th>Created</th>
                <th>Integration</th>
                <th>Request</th>
                <th>State</th>
                <th className="num">Attempts</th>
                <th>Next attempt</th>
                <th>Last outcome</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((job) => (
                <tr key={job.id} className="clickable" data-testid={`job-${job.id}`}>
                  <td className="mono">{formatTime(job.createdAt, true)}</td>
                  <td title={job.integration}>{job.integration}</td>
                  <td className="mono">
                    <Link
                      href={`/jobs/${encodeURIComponent(job.id)}`}
                      title={`${job.request.method} ${job.request.path}`}
                    >
                      {job.request.method} {job.request.path}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge state={job.state} tone={jobStateTone(job.state)} testId="job-state" />
                  </td>
                  <td className="num">
                    {job.attempts}/{job.maxAttempts}
                  </td>
                  <td className="mono">{job.nextAttemptAt ? formatTime(job.nextAttemptAt) : '–'}</td>
                  <td className="mono">{job.result?.status ?? job.lastError ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadOlder shown={rows.length} noun="jobs" pages={jobs} />
        </div>
      )}
    </section>
  );
}
