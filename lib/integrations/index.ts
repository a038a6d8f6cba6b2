export { type ForwardRequest, forwardCall, type RequestHeaders } from './calls';
export { clientFor, type DeliveryKind, deliveryIntegrationSlug, sendDelivery } from './clients';
export { outboundPolicy, refuseOutboundUrl } from './outbound';
export { routeTemplate, UnsafePathError, upstreamPath } from './paths';
export { redactionOf, secretsOf } from './redaction';
export {
  type GatewayBody,
  type GatewayBodyLimits,
  gatewayBodyLimits,
  gatewayRequestBody,
  requestBodyOf,
} from './request-body';
export { adoptRequestId, type GatewayRequestId, gatewayRequestId } from './request-id';
export {
  BodyTooLargeError,
  type GatewayAnswer,
  gatewayError,
  gatewayErrorAnswer,
  MAX_BODY_BYTES,
  responseHeaders,
} from './responses';
export type { Integration, IntegrationRow } from './rows';
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
  IntegrationConflictError,
  type IntegrationView,
  listIntegrations,
  toView,
  updateIntegration,
} from './service';
export {
  integrationForGateway,
  integrationOfId,
  loadIntegrationSnapshot,
  replaceIntegrationSnapshot,
  workspaceSlugOf,
} from './snapshot';
