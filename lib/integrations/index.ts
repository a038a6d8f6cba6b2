export { clientFor, type ForwardRequest, forwardCall, MissingSecretError, redactionOf, secretsOf } from './calls';
export { routeTemplate, UnsafePathError, upstreamPath } from './paths';
export { gatewayErrorResponse, MAX_BODY_BYTES, readBody, responseHeaders } from './responses';
export {
  AUTH_SCHEMES,
  type IntegrationConfig,
  type IntegrationInput,
  integrationPatchSchema,
  integrationSchema,
} from './schema';
export {
  createIntegration,
  deleteIntegration,
  findIntegration,
  type Integration,
  IntegrationConflictError,
  type IntegrationView,
  listIntegrations,
  toView,
  updateIntegration,
} from './service';
