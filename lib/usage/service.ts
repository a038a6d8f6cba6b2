import { z } from 'zod';
import type { Db } from '@/lib/db';
import { DomainError } from '@/lib/model';
import { callerNames, usageCounts, type WorkspaceScope } from '@/lib/queries';
import { monthOf, type PriceVersion } from './cost';
import {
  type ChargebackRow,
  chargebackRows,
  type IntegrationRef,
  type IntegrationUsage,
  integrationUsage,
} from './report';
import { type PriceInput, priceRulesSchema, priceText } from './schema';
import { forgetTileCosts } from './tile-costs';

/** A price version as the API and the form show it: amounts as the decimal text they were typed as. */
export interface PriceView {
  effectiveFrom: string;
  currency: string;
  rules: {
    perCall: string;
    routes: { route: string; perCall: string }[];
    outcomes: Record<string, string>;
    includedMonthly: number;
    tiers: { fromAttempt: number; perCall: string }[];
  };
  createdBy: string;
  createdAt: Date;
}

/** A month as YYYY-MM (UTC) that cannot be read: 400 naming `month`. */
export class BadMonthError extends DomainError {
  constructor() {
    super('month must be YYYY-MM', 400, 'bad_month', 'month');
  }
}

/** The usage routes' query: an optional month, checked by monthNamed (400 naming `month`). */
export const usageMonthQuerySchema = z.object({ month: z.string().optional() });

/** The UTC month named YYYY-MM, or the one holding `now`. */
export function monthNamed(text: string | null | undefined, now: Date): { start: Date; end: Date } {
  if (!text) return monthOf(now);
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) throw new BadMonthError();
  return monthOf(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)));
}

function versionOf(row: { integrationId: string; effectiveFrom: Date; currency: string; rules: string }): PriceVersion {
  return {
    integrationId: row.integrationId,
    effectiveFrom: row.effectiveFrom,
    currency: row.currency,
    rules: priceRulesSchema.parse(JSON.parse(row.rules)),
  };
}

function viewOf(row: {
  effectiveFrom: Date;
  currency: string;
  rules: string;
  createdBy: string;
  createdAt: Date;
}): PriceView {
  const rules = priceRulesSchema.parse(JSON.parse(row.rules));
  return {
    effectiveFrom: row.effectiveFrom.toISOString().slice(0, 10),
    currency: row.currency,
    rules: {
      perCall: priceText(rules.perCall),
      routes: rules.routes.map((r) => ({ route: r.route, perCall: priceText(r.perCall) })),
      outcomes: Object.fromEntries(Object.entries(rules.outcomes).map(([k, v]) => [k, priceText(v)])),
      includedMonthly: rules.includedMonthly,
      tiers: rules.tiers.map((t) => ({ fromAttempt: t.fromAttempt, perCall: priceText(t.perCall) })),
    },
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

/** Stored rules are what the schema parses back to the same figures: amounts kept as their decimal text. */
function storedRules(input: PriceInput): string {
  const r = input.rules;
  return JSON.stringify({
    perCall: priceText(r.perCall),
    routes: r.routes.map((x) => ({ route: x.route, perCall: priceText(x.perCall) })),
    outcomes: Object.fromEntries(Object.entries(r.outcomes).map(([k, v]) => [k, priceText(v)])),
    includedMonthly: r.includedMonthly,
    tiers: r.tiers.map((t) => ({ fromAttempt: t.fromAttempt, perCall: priceText(t.perCall) })),
  });
}

async function integrationOf(db: Db, workspaceId: string, slug: string) {
  return db.integration.findUnique({
    where: { workspaceId_slug: { workspaceId, slug } },
    select: { id: true, slug: true, name: true },
  });
}

/** The integration's price versions, oldest first; null when the workspace has no such integration. */
export async function listPrices(db: Db, workspaceId: string, slug: string): Promise<PriceView[] | null> {
  const integration = await integrationOf(db, workspaceId, slug);
  if (!integration) return null;
  const rows = await db.usagePrice.findMany({
    where: { integrationId: integration.id },
    orderBy: { effectiveFrom: 'asc' },
  });
  return rows.map(viewOf);
}

/** Sets the version from `effectiveFrom` (replacing one of the same day); null when no such integration. */
export async function setPrice(
  db: Db,
  workspaceId: string,
  slug: string,
  input: PriceInput,
  actor: string,
): Promise<PriceView | null> {
  const integration = await integrationOf(db, workspaceId, slug);
  if (!integration) return null;
  const effectiveFrom = new Date(`${input.effectiveFrom}T00:00:00Z`);
  const values = { currency: input.currency, rules: storedRules(input), createdBy: actor };
  const row = await db.usagePrice.upsert({
    where: { integrationId_effectiveFrom: { integrationId: integration.id, effectiveFrom } },
    create: { integrationId: integration.id, effectiveFrom, ...values },
    update: { ...values, createdAt: new Date() },
  });
  forgetTileCosts(workspaceId);
  return viewOf(row);
}

/** Every price version of the scope's integrations, by integration id, oldest first. */
export async function versionsByIntegration(db: Db, workspaceId: WorkspaceScope): Promise<Map<string, PriceVersion[]>> {
  const rows = await db.usagePrice.findMany({
    where: workspaceId === null ? {} : { integration: { workspaceId } },
    orderBy: { effectiveFrom: 'asc' },
  });
  const byIntegration = new Map<string, PriceVersion[]>();
  for (const row of rows) {
    const list = byIntegration.get(row.integrationId) ?? [];
    list.push(versionOf(row));
    byIntegration.set(row.integrationId, list);
  }
  return byIntegration;
}

async function monthData(db: Db, workspaceId: WorkspaceScope, month: { start: Date; end: Date }, slug?: string) {
  const integrations: IntegrationRef[] = await db.integration.findMany({
    where: { ...(workspaceId === null ? {} : { workspaceId }), ...(slug ? { slug } : {}) },
    select: { id: true, slug: true, name: true },
    orderBy: { slug: 'asc' },
  });
  const one = slug ? integrations[0] : undefined;
  const counts = slug && !one ? [] : await usageCounts(db, workspaceId, month.start, month.end, one?.id);
  const versions = await versionsByIntegration(db, workspaceId);
  const names = await callerNames(db, workspaceId, [...new Set(counts.map((c) => c.caller))]);
  const label = (caller: string) => names.get(caller) ?? caller;
  const byIntegration = new Map<string, typeof counts>();
  for (const c of counts) {
    const list = byIntegration.get(c.integrationId) ?? [];
    list.push(c);
    byIntegration.set(c.integrationId, list);
  }
  const countsOf = (id: string) => byIntegration.get(id) ?? [];
  return { integrations, versions, label, countsOf };
}

/** Each integration's usage and cost of the month holding `now` (or of `month`: then as of its end). */
export async function usageReport(
  db: Db,
  workspaceId: WorkspaceScope,
  now: Date,
  month?: string | null,
  slug?: string,
): Promise<IntegrationUsage[]> {
  const range = monthNamed(month, now);
  const at = now.getTime() < range.end.getTime() ? now : new Date(range.end.getTime() - 1);
  const data = await monthData(db, workspaceId, range, slug);
  return data.integrations.map((i) =>
    integrationUsage(i, data.countsOf(i.id), data.versions.get(i.id) ?? [], at, data.label),
  );
}

/** The month's chargeback lines (per integration, caller and UTC day) of the workspace. */
export async function chargeback(
  db: Db,
  workspaceId: string,
  now: Date,
  month?: string | null,
): Promise<ChargebackRow[]> {
  const data = await monthData(db, workspaceId, monthNamed(month, now));
  return data.integrations.flatMap((i) =>
    chargebackRows(i, data.countsOf(i.id), data.versions.get(i.id) ?? [], data.label),
  );
}
