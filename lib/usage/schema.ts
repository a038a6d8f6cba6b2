import { z } from 'zod';
import { USAGE_OUTCOMES } from '@/lib/model';

// The price form's and API's one schema. Amounts are decimal strings in the currency's major unit ("0.0004")
// parsed exactly (no floating point) into micros, millionths of the major unit, so a fraction of a cent per
// call is exact and totals are exact integers.

const MICROS_DIGITS = 6;
/** A per-call price above this (a million in the major unit) is a typo, not a price. */
const MAX_PRICE_MICROS = 1_000_000 * 10 ** MICROS_DIGITS;

/** "0.0004" → 400; exact, from the digits. Undefined when the text is not a price. */
export function microsOf(text: string): number | undefined {
  const match = /^(\d{1,7})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) return undefined;
  const micros = Number(match[1]) * 10 ** MICROS_DIGITS + Number((match[2] ?? '').padEnd(MICROS_DIGITS, '0'));
  return micros <= MAX_PRICE_MICROS ? micros : undefined;
}

/** 400 → "0.0004": the form shows a stored price as it was typed. */
export function priceText(micros: number): string {
  const whole = Math.floor(micros / 10 ** MICROS_DIGITS);
  const fraction = String(micros % 10 ** MICROS_DIGITS)
    .padStart(MICROS_DIGITS, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

const price = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const micros = microsOf(String(value));
  if (micros === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a price per call such as 0.002 (up to 6 decimals, zero or more)',
    });
    return z.NEVER;
  }
  return micros;
});

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day: YYYY-MM-DD (UTC)')
  .refine(
    (text) =>
      !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text),
    'must be a real day',
  );

const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    (code) => /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code),
    'must be an ISO 4217 currency code such as USD or EUR',
  );

const routeTemplate = z.string().trim().min(1, 'must name a route template such as /v1/charges/{id}').max(512);

/** The rules of one price version, stored as UsagePrice.rules. */
export const priceRulesSchema = z
  .object({
    /** every billable attempt, unless a route or outcome price applies */
    perCall: price,
    /** attempts of these route templates cost this instead of perCall (and its tiers) */
    routes: z
      .array(z.object({ route: routeTemplate, perCall: price }))
      .max(200)
      .default([]),
    /** attempts answered with this outcome class cost this (cached and short_circuited are free when absent) */
    outcomes: z.partialRecord(z.enum(USAGE_OUTCOMES), price).default({}),
    /** billable attempts free each calendar month (UTC) before any price applies */
    includedMonthly: z.coerce
      .number()
      .int('must be a whole number')
      .min(0, 'must be zero or more')
      .max(1e12)
      .default(0),
    /** volume prices replacing perCall from the nth billable attempt beyond the included quota */
    tiers: z
      .array(
        z.object({
          fromAttempt: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more'),
          perCall: price,
        }),
      )
      .max(20)
      .default([]),
  })
  .superRefine((rules, ctx) => {
    rules.tiers.forEach((tier, i) => {
      if (i > 0 && tier.fromAttempt <= rules.tiers[i - 1]!.fromAttempt)
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'fromAttempt'],
          message: 'must be above the previous tier’s',
        });
    });
    const seen = new Set<string>();
    rules.routes.forEach((r, i) => {
      if (seen.has(r.route)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'route'], message: 'is priced twice' });
      seen.add(r.route);
    });
  });

export type PriceRules = z.output<typeof priceRulesSchema>;

/** What the prices form and PUT /api/integrations/[slug]/prices send: one version. */
export const priceInputSchema = z.object({
  /** the UTC day the price applies from; a version on the same day replaces it */
  effectiveFrom: day,
  currency,
  rules: priceRulesSchema,
});
export type PriceInput = z.output<typeof priceInputSchema>;
