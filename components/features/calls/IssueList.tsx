'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AnySelect, byName, FilterActions, listState, TimeRangeInputs } from '@/components/filters/ListParts';
import { useUrlFilter } from '@/components/filters/useUrlFilter';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatCount, formatTime } from '@/components/ui/format';
import { outcomeTone } from '@/lib/model';
import type { Issue } from '@/lib/queries';

const LIVE_TAIL_MS = 5000;

/** The explorer's address for an issue's calls: its integration, route, outcome (and status) over its span. */
function explorerHref(issue: Wire<Issue>, ws: string | null): string {
  const query = new URLSearchParams();
  if (ws) query.set('ws', ws);
  for (const [name, value] of Object.entries(issue.filter)) query.set(name, String(value));
  return `/explorer?${query}`;
}

/**
 * Failed calls grouped as issues (integration, route, outcome, cause), filtered through the URL; the last
 * hour unless a range is given. Each issue reads as a sentence and links to its calls.
 */
export function IssueList({ integrations }: { integrations: { slug: string; name: string }[] }) {
  const { params, filter, search, clear, get } = useUrlFilter();
  const [live, setLive] = useState(false);
  const issues = useQuery({
    queryKey: ['issues', filter],
    queryFn: () => fetchJson<{ issues: Wire<Issue>[] }>(`/api/issues?${filter}`),
    refetchInterval: live ? LIVE_TAIL_MS : undefined,
  });
  const rows = issues.data?.issues ?? [];
  return (
    <>
      <form className="panel filters" onSubmit={search} aria-label="Filter issues" key={filter}>
        <AnySelect
          label="Integration"
          name="integration"
          defaultValue={get('integration')}
          choices={byName(integrations)}
        />
        <TimeRangeInputs params={params} />
        <FilterActions onClear={clear} />
      </form>
      <p className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.target.checked)} /> Live (every{' '}
          {LIVE_TAIL_MS / 1000} s)
        </label>
      </p>
      {listState(issues, rows.length, {
        noun: 'issue',
        height: 200,
        empty: 'No call failed in the range (the last hour unless one is given).',
      }) ?? (
        <div className="panel table-wrap">
          <table aria-label="Issues">
            <thead>
              <tr>
                <th>Integration</th>
                <th>Route</th>
                <th>Outcome</th>
                <th>Cause</th>
                <th className="num">Calls</th>
                <th>First seen</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((issue) => (
                <tr key={`${issue.integration.slug} ${issue.route} ${issue.outcome} ${issue.cause}`}>
                  <td>{issue.integration.name}</td>
                  <td className="mono">{issue.route}</td>
                  <td className={`status-${outcomeTone(issue.outcome)}`}>{issue.outcome.replace('_', ' ')}</td>
                  <td>{issue.cause}</td>
                  <td className="num">
                    <Link
                      href={explorerHref(issue, params.get('ws'))}
                      title={`${issue.integration.slug}, ${issue.outcome.replace('_', ' ')}, ${issue.count} ${issue.count === 1 ? 'call' : 'calls'} since ${formatTime(issue.firstSeen)}, ${issue.cause}`}
                    >
                      {formatCount(issue.count)} {issue.count === 1 ? 'call' : 'calls'}
                    </Link>
                  </td>
                  <td className="mono">{formatTime(issue.firstSeen, true)}</td>
                  <td className="mono">{formatTime(issue.lastSeen, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
