'use client';

import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { FieldError } from '@/components/ui/FieldError';
import { FormError } from '@/components/ui/FormError';
import { useCollection } from '@/components/ui/useCollection';
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

/** `canAct`: the viewer's role may create and delete silences (operator and up). */
export function SilenceManager({ canAct = true }: { canAct?: boolean } = {}) {
  const {
    list: silences,
    create,
    remove,
    fields,
  } = useCollection<{ silences: SilenceView[] }>('alert-silences', '/api/alerts/silences');
  const rules = useQuery({
    queryKey: ['alert-rules'],
    queryFn: () => fetchJson<{ rules: RuleView[] }>('/api/alerts/rules'),
  });
  const ruleName = (id: string | null) => rules.data?.rules.find((r) => r.id === id)?.name ?? id;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
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
      {canAct && (
        <form className="panel" onSubmit={submit} aria-label="New silence" noValidate>
          <div className="fields">
            <label>
              Comment
              <input name="comment" placeholder="Deploy of payments v42" />
              <FieldError fields={fields} name="comment" />
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
              <FieldError fields={fields} name="integration" />
            </label>
            <label>
              Label matchers (name=value, comma separated)
              <input name="matchers" placeholder="team=billing" />
              <FieldError fields={fields} name="matchers" />
            </label>
            <label>
              Starts
              <input type="datetime-local" name="startsAt" defaultValue={localInput(now)} />
              <FieldError fields={fields} name="startsAt" />
            </label>
            <label>
              Ends
              <input
                type="datetime-local"
                name="endsAt"
                defaultValue={localInput(new Date(now.getTime() + 3_600_000))}
              />
              <FieldError fields={fields} name="endsAt" />
            </label>
            <label>
              Repeats
              <select name="recurrence" defaultValue="none">
                <option value="none">once</option>
                <option value="weekly">every week (maintenance window)</option>
              </select>
            </label>
          </div>
          <FormError error={create.error} />
          <button type="submit" style={{ marginTop: 14 }} disabled={create.isPending}>
            Create silence
          </button>
        </form>
      )}
      <h2>Silences</h2>
      <section className="panel">
        <DataTable
          label="Silences"
          columns={['Comment', 'Matches', 'From', 'To', 'Repeats', '']}
          rows={silences.data?.silences}
          error={silences.error}
          empty="No silences."
        >
          {(s) => (
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
                {canAct && (
                  <button type="button" className="danger" onClick={() => remove.mutate(s.id)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      </section>
    </>
  );
}
