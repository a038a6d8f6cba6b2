export { type ForwardRequest, forwardCall, type RequestHeaders } from './calls';
export { clientFor, type DeliveryKind, deliveryIntegrationSlug, sendDelivery } from './clients';
export { outboundPolicy, refuseOutboundUrl } from './outbound';
export { routeTemplate, UnsafePathError, upstreamPath } from './paths';
export { redactionOf, secretsOf } from './redaction';
export {
  BodyTooLargeError,
  type GatewayAnswer,
  gatewayError,
  gatewayErrorAnswer,
  MAX_BODY_BYTES,
  responseHeaders,
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
