export { type BudgetValues, budgetSeries, budgetValues, budgetValuesOf } from './alerts';
export {
  type CostedCount,
  minorDigits,
  minorOf,
  monthOf,
  type PriceVersion,
  priceMonth,
  type UsageCount,
  versionAt,
} from './cost';
export { monthToDateCosts } from './costs';
export { usageMetricsText } from './prometheus';
export {
  type ChargebackRow,
  type CostLine,
  chargebackCsv,
  chargebackRows,
  type IntegrationUsage,
  integrationUsage,
  projectedCounts,
} from './report';
export { microsOf, type PriceInput, type PriceRules, priceInputSchema, priceRulesSchema, priceText } from './schema';
export {
  BadMonthError,
  chargeback,
  listPrices,
  monthNamed,
  type PriceView,
  setPrice,
  usageMonthQuerySchema,
  usageReport,
} from './service';
