export { clientFor, type ForwardRequest, forwardCall, redactionOf, secretsOf } from './calls';
export { outboundPolicy, refuseOutboundUrl } from './outbound';
export { routeTemplate, UnsafePathError, upstreamPath } from './paths';
export {
  gatewayErrorResponse,
  MAX_BODY_BYTES,
  readBody,
  responseHeaders,
  withGatewaySecurityHeaders,
} from './responses';
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
