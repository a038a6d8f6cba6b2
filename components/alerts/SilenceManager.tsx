'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, fetchJson, sendJson } from '@/components/api';
import { type RuleView, when } from './api';

interface SilenceView {
  id: string;
  comment: string;
  ruleId: string | null;
  integration: string | null;
  matchers: { name: string; value: string }[];
  startsAt: string;
  endsAt: string;
  recurrence: 'none' | 'weekly';
}

const localInput = (date: Date) =>
  new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function SilenceManager() {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Record<string, string>>({});
  const silences = useQuery({
    queryKey: ['alert-silences'],
    queryFn: () => fetchJson<{ silences: SilenceView[] }>('/api/alerts/silences'),
  });
  const rules = useQuery({
    queryKey: ['alert-rules'],
    queryFn: () => fetchJson<{ rules: RuleView[] }>('/api/alerts/rules'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['alert-silences'] });
  const create = useMutation({
    mutationFn: (body: unknown) => sendJson('/api/alerts/silences', 'POST', body),
    onSuccess: refresh,
    onError: (error) => setFields(error instanceof ApiError ? error.fields : {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/alerts/silences/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const ruleName = (id: string | null) => rules.data?.rules.find((r) => r.id === id)?.name ?? id;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFields({});
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const matchers = text('matchers')
      .split(',')
      .map((m) => m.split('='))
      .filter((pair) => pair.length === 2 && pair[0].trim())
      .map(([name, value]) => ({ name: name.trim(), value: value.trim() }));
    create.mutate({
      comment: text('comment'),
      ruleId: text('ruleId') || null,
      integration: text('integration') || null,
      matchers,
      startsAt: text('startsAt') ? new Date(text('startsAt')).toISOString() : '',
      endsAt: text('endsAt') ? new Date(text('endsAt')).toISOString() : '',
      recurrence: text('recurrence'),
    });
  }

  const now = new Date();
  return (
    <>
      <form className="panel" onSubmit={submit} aria-label="New silence" noValidate>
        <div
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
            gap: 14,
            alignItems: 'start',
          }}
        >
          <label>
            Comment
            <input name="comment" placeholder="Deploy of payments v42" />
            {fields.comment && <span className="field-error">{fields.comment}</span>}
          </label>
          <label>
            Rule
            <select name="ruleId" defaultValue="">
              <option value="">any rule</option>
              {rules.data?.rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Integration (slug)
            <input name="integration" placeholder="any integration" />
            {fields.integration && <span className="field-error">{fields.integration}</span>}
          </label>
          <label>
            Label matchers (name=value, comma separated)
            <input name="matchers" placeholder="team=billing" />
            {fields.matchers && <span className="field-error">{fields.matchers}</span>}
          </label>
          <label>
            Starts
            <input type="datetime-local" name="startsAt" defaultValue={localInput(now)} />
            {fields.startsAt && <span className="field-error">{fields.startsAt}</span>}
          </label>
          <label>
            Ends
            <input type="datetime-local" name="endsAt" defaultValue={localInput(new Date(now.getTime() + 3_600_000))} />
            {fields.endsAt && <span className="field-error">{fields.endsAt}</span>}
          </label>
          <label>
            Repeats
            <select name="recurrence" defaultValue="none">
              <option value="none">once</option>
              <option value="weekly">every week (maintenance window)</option>
            </select>
          </label>
        </div>
        {create.error && (
          <p className="alert" role="alert">
            {create.error.message}
          </p>
        )}
        <button type="submit" style={{ marginTop: 14 }} disabled={create.isPending}>
          Create silence
        </button>
      </form>
      <h2>Silences</h2>
      <section className="panel">
        {silences.data?.silences.length === 0 && <p className="muted">No silences.</p>}
        {silences.data && silences.data.silences.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Silences">
              <thead>
                <tr>
                  <th>Comment</th>
                  <th>Matches</th>
                  <th>From</th>
                  <th>To</th>
                  <th>Repeats</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {silences.data.silences.map((s) => (
                  <tr key={s.id}>
                    <td>{s.comment}</td>
                    <td className="mono">
                      {[
                        s.ruleId && `rule=${ruleName(s.ruleId)}`,
                        s.integration && `integration=${s.integration}`,
                        ...s.matchers.map((m) => `${m.name}=${m.value}`),
                      ]
                        .filter(Boolean)
                        .join(', ')}
                    </td>
                    <td>{when(s.startsAt)}</td>
                    <td>{when(s.endsAt)}</td>
                    <td>{s.recurrence === 'weekly' ? 'weekly' : 'once'}</td>
                    <td>
                      <button type="button" className="danger" onClick={() => remove.mutate(s.id)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
