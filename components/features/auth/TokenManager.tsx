'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson, sendJson } from '@/components/ui/api';
import { CopyButton } from '@/components/ui/CopyButton';
import { DataTable } from '@/components/ui/DataTable';
import { FormError } from '@/components/ui/FormError';
import { formatTime } from '@/components/ui/format';
import { TOKEN_SCOPES } from '@/lib/model';

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  owner: string;
  scopes: string[];
  integrations: string[] | null;
  rateLimits: Record<string, number> | null;
  quotas: Record<string, number> | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  revokedAt: string | null;
}

interface Created {
  token: string;
  integrations: string[] | null;
}

const SCOPE_HELP: Record<string, string> = {
  gateway: 'call integrations through /api/gw',
  read: 'read the API (viewer)',
  write: 'change configuration (editor)',
  admin: 'members and tokens (admin)',
};

/** "stripe=1000, sendgrid=50" → {stripe: 1000, sendgrid: 50}; the server validates slugs and numbers. */
function parseCounts(text: string): Record<string, number> | undefined {
  const entries = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [slug, calls] = part.split('=').map((s) => s.trim());
      return [slug, Number(calls)] as const;
    });
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function tokenRequest(form: HTMLFormElement) {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const integrations = text('integrations')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    name: text('name'),
    scopes: data.getAll('scopes').map(String),
    ...(integrations.length ? { integrations } : {}),
    ...(text('expiresInDays') ? { expiresInDays: Number(text('expiresInDays')) } : {}),
    ...(text('rateLimitPerMinute') ? { rateLimitPerMinute: Number(text('rateLimitPerMinute')) } : {}),
    ...(parseCounts(text('monthlyQuota')) ? { monthlyQuota: parseCounts(text('monthlyQuota')) } : {}),
  };
}

const when = (at: string | null, none: string) => (at ? formatTime(at, true) : none);
const counts = (map: Record<string, number> | null, unit: string) =>
  map
    ? Object.entries(map)
        .map(([slug, n]) => `${slug === '*' ? 'each' : slug}: ${n}${unit}`)
        .join(', ')
    : '–';

/** A logged call's upstream path as the gateway takes it: relative to the integration's base URL, no leading slash. */
function relativePath(path: string | undefined, baseUrl: string | undefined): string {
  if (!path || !baseUrl) return '<path>';
  const base = new URL(baseUrl).pathname.replace(/\/$/, '');
  return (path.startsWith(`${base}/`) ? path.slice(base.length) : path).replace(/^\//, '');
}

export function TokenManager() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Created | null>(null);
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => fetchJson<{ tokens: TokenView[] }>('/api/tokens') });
  // The curl line names a real integration the token may call and a path it was last called with (a GET
  // from the call log), so it runs as pasted; with no such call yet, the path is left for the reader.
  const integrations = useQuery({
    queryKey: ['integrations'],
    queryFn: () => fetchJson<{ integrations: { slug: string; baseUrl: string }[] }>('/api/integrations'),
    enabled: created !== null,
  });
  const slug = created?.integrations?.[0] ?? integrations.data?.integrations[0]?.slug;
  const lastGet = useQuery({
    queryKey: ['last-get', slug],
    queryFn: () =>
      fetchJson<{ calls: { path: string }[] }>(
        `/api/calls?${new URLSearchParams({ integration: slug ?? '', method: 'GET', limit: '1' })}`,
      ),
    enabled: slug !== undefined,
  });
  const create = useMutation({
    mutationFn: (body: ReturnType<typeof tokenRequest>) => sendJson<Created>('/api/tokens', 'POST', body),
    onSuccess: (answer) => {
      setCreated(answer);
      void queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate(tokenRequest(form), { onSuccess: () => form.reset() });
  }

  const path = relativePath(
    lastGet.data?.calls[0]?.path,
    integrations.data?.integrations.find((i) => i.slug === slug)?.baseUrl,
  );
  const curl =
    created &&
    `curl -i -H 'Authorization: Bearer ${created.token}' '${typeof window === 'undefined' ? '' : window.location.origin}/api/gw/${slug ? encodeURIComponent(slug) : '<integration>'}/${path}'`;

  return (
    <div className="panel">
      <form className="stack" onSubmit={submit} aria-label="Create an API token">
        <div className="row">
          <label>
            Token name
            <input name="name" placeholder="checkout-service" required maxLength={100} />
          </label>
          <label>
            Expires in days (empty: never)
            <input name="expiresInDays" type="number" min={1} max={3650} />
          </label>
        </div>
        <fieldset>
          <legend>Scopes</legend>
          {TOKEN_SCOPES.map((scope) => (
            <label key={scope} className="inline">
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === 'gateway'} /> {scope}{' '}
              <span className="muted">({SCOPE_HELP[scope]})</span>
            </label>
          ))}
        </fieldset>
        <div className="row">
          <label>
            Integrations (slugs, comma-separated; empty: all)
            <input name="integrations" placeholder="stripe, sendgrid" />
          </label>
          <label>
            Rate limit per minute, per integration
            <input name="rateLimitPerMinute" type="number" min={1} />
          </label>
          <label>
            Monthly quota (slug=calls, …)
            <input name="monthlyQuota" placeholder="stripe=10000" />
          </label>
        </div>
        <div>
          <button type="submit" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      <FormError error={create.error} />
      {created && (
        <div className="notice" role="status">
          <p>
            New token (copy it now, it will not be shown again):{' '}
            <code id="new-token" data-testid="new-token">
              {created.token}
            </code>{' '}
            <CopyButton text={created.token} targetId="new-token" label="Copy token" />
          </p>
          {curl && (
            <p>
              Try it:{' '}
              <code id="new-token-curl" className="mono" data-testid="new-token-curl">
                {curl}
              </code>{' '}
              <CopyButton text={curl} targetId="new-token-curl" label="Copy curl line" />
            </p>
          )}
        </div>
      )}
      <DataTable
        label="API tokens"
        columns={['Name', 'Token', 'Scopes', 'Integrations', 'Limits', 'Created', 'Last used', 'Expires', 'State', '']}
        rows={tokens.data?.tokens}
        pending={tokens.isPending}
        error={tokens.error}
        empty="No tokens yet."
      >
        {(t) => (
          <tr key={t.id}>
            <td>
              {t.name}
              <div className="muted">by {t.owner}</div>
            </td>
            <td className="mono">{t.prefix}…</td>
            <td>{t.scopes.join(', ')}</td>
            <td>{t.integrations ? t.integrations.join(', ') : 'all'}</td>
            <td>
              <div>rate: {counts(t.rateLimits, '/min')}</div>
              <div>quota: {counts(t.quotas, '/month')}</div>
            </td>
            <td>{when(t.createdAt, '')}</td>
            <td>{when(t.lastUsedAt, 'never')}</td>
            <td>{when(t.expiresAt, 'never')}</td>
            <td>
              {t.revokedAt ? (
                <span className="status-bad">revoked</span>
              ) : t.expired ? (
                <span className="status-bad">expired</span>
              ) : (
                <span className="status-ok">active</span>
              )}
            </td>
            <td>
              {!t.revokedAt && (
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    window.confirm(`Revoke token "${t.name}"? Callers using it will get 401.`) && revoke.mutate(t.id)
                  }
                >
                  Revoke
                </button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </div>
  );
}
