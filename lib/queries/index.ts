export { ERROR_OUTCOMES, type IntegrationSummary, integrationSummaries } from './integrations';
