'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, fetchJson, sendJson, type Wire } from '@/components/ui/api';
import { Field } from '@/components/ui/Field';
import { FormError } from '@/components/ui/FormError';
import { USAGE_OUTCOMES } from '@/lib/model';
import type { PriceView } from '@/lib/usage';

/** "route price" or "fromAttempt price" per line, as the API's arrays (the API validates each part). */
function pairs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf(' ');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1)];
    });
}

/** The first API error under a field (or any of its items: rules.routes.2.perCall is the routes box's). */
function errorUnder(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.issues.find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;
}

/**
 * An integration's price versions and the form for a new one (an editor's). A version applies from its UTC
 * day; one set for a day that has a version replaces it. Amounts are per attempt in the currency's major unit.
 */
export function PriceForm({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const url = `/api/integrations/${encodeURIComponent(slug)}/prices`;
  const prices = useQuery({ queryKey: ['prices', slug], queryFn: () => fetchJson<{ prices: Wire<PriceView>[] }>(url) });
  const latest = prices.data?.prices.at(-1);
  const [open, setOpen] = useState(false);
  const save = useMutation({
    mutationFn: (body: unknown) => sendJson<{ price: Wire<PriceView> }>(url, 'PUT', body),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: ['prices', slug] });
      void queryClient.invalidateQueries({ queryKey: ['usage'] });
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const outcomes: Record<string, string> = {};
    for (const outcome of USAGE_OUTCOMES)
      if (text(`outcome-${outcome}`)) outcomes[outcome] = text(`outcome-${outcome}`);
    save.mutate({
      effectiveFrom: text('effectiveFrom'),
      currency: text('currency'),
      rules: {
        perCall: text('perCall'),
        includedMonthly: text('includedMonthly') || 0,
        outcomes,
        routes: pairs(text('routes')).map(([route, perCall]) => ({ route, perCall })),
        tiers: pairs(text('tiers')).map(([fromAttempt, perCall]) => ({ fromAttempt, perCall })),
      },
    });
  }

  const err = (field: string) => errorUnder(save.error, field);
  return (
    <section className="panel" style={{ marginBottom: 16 }} aria-label="Prices">
      <h2>Prices</h2>
      {prices.data?.prices.length === 0 && <p className="muted">No price set.</p>}
      {prices.data && prices.data.prices.length > 0 && (
        <ul data-testid="price-versions">
          {prices.data.prices.map((p) => (
            <li key={p.effectiveFrom}>
              From {p.effectiveFrom}: {p.rules.perCall} {p.currency} per attempt
              {p.rules.includedMonthly > 0 && `, ${p.rules.includedMonthly} included monthly`}
              {p.rules.routes.length > 0 && `, ${p.rules.routes.length} route price(s)`}
              {p.rules.tiers.length > 0 && `, ${p.rules.tiers.length} tier(s)`}
              <span className="muted"> (set by {p.createdBy})</span>
            </li>
          ))}
        </ul>
      )}
      {canEdit && !open && (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Set a price
        </button>
      )}
      {canEdit && open && (
        <form className="form" onSubmit={submit} noValidate aria-label="Set a price">
          <div className="fields">
            <Field
              id="price-effective"
              name="effectiveFrom"
              label="Applies from (UTC day)"
              error={err('effectiveFrom')}
            >
              {(props) => <input {...props} type="date" defaultValue={new Date().toISOString().slice(0, 10)} />}
            </Field>
            <Field id="price-currency" name="currency" label="Currency" error={err('currency')}>
              {(props) => <input {...props} defaultValue={latest?.currency ?? 'USD'} maxLength={3} />}
            </Field>
            <Field
              id="price-per-call"
              name="perCall"
              label="Price per attempt"
              error={err('rules.perCall')}
              hint="e.g. 0.002"
            >
              {(props) => <input {...props} inputMode="decimal" defaultValue={latest?.rules.perCall ?? ''} />}
            </Field>
            <Field
              id="price-included"
              name="includedMonthly"
              label="Included attempts per month"
              error={err('rules.includedMonthly')}
            >
              {(props) => <input {...props} inputMode="numeric" defaultValue={latest?.rules.includedMonthly ?? 0} />}
            </Field>
          </div>
          <fieldset>
            <legend>
              Price by outcome (blank: the route’s or per-attempt price; cached and short-circuited: free)
            </legend>
            <div className="fields">
              {USAGE_OUTCOMES.map((outcome) => (
                <Field
                  key={outcome}
                  id={`price-outcome-${outcome}`}
                  name={`outcome-${outcome}`}
                  label={outcome.replace('_', ' ')}
                  error={err(`rules.outcomes.${outcome}`)}
                >
                  {(props) => (
                    <input {...props} inputMode="decimal" defaultValue={latest?.rules.outcomes[outcome] ?? ''} />
                  )}
                </Field>
              ))}
            </div>
          </fieldset>
          <Field
            id="price-routes"
            name="routes"
            label="Price by route template"
            error={err('rules.routes')}
            hint="one per line: /v1/charges/{id} 0.01"
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                defaultValue={latest?.rules.routes.map((r) => `${r.route} ${r.perCall}`).join('\n')}
              />
            )}
          </Field>
          <Field
            id="price-tiers"
            name="tiers"
            label="Tiers beyond the included quota"
            error={err('rules.tiers')}
            hint="one per line: from the nth attempt, its price (100001 0.001)"
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                defaultValue={latest?.rules.tiers.map((t) => `${t.fromAttempt} ${t.perCall}`).join('\n')}
              />
            )}
          </Field>
          <FormError error={save.error} />
          <div className="row">
            <button type="submit" disabled={save.isPending}>
              Save price
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
