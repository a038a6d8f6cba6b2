import { USAGE_OUTCOMES } from '@/lib/model';

// What the usage API answers (lib/usage's IntegrationUsage and PriceView, as they arrive over the wire):
// written out here because a component imports only lib/model.

export interface CostLine {
  key: string;
  label: string;
  attempts: number;
  costMinor: number;
}

export interface IntegrationUsage {
  integrationId: string;
  slug: string;
  name: string;
  currency: string | null;
  attempts: number;
  billable: number;
  costMinor: number;
  forecastMinor: number;
  quota: { included: number; used: number; ratio: number } | null;
  retryCostMinor: number;
  retryShare: number;
  saved: { cachedCalls: number; cachedMinor: number; shortCircuitedCalls: number; shortCircuitedMinor: number };
  byRoute: CostLine[];
  byOutcome: CostLine[];
  byCaller: CostLine[];
}

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
  createdAt: string;
}

export const PRICED_OUTCOMES = USAGE_OUTCOMES;
