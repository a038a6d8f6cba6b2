export { type ForwardRequest, forwardCall, type RequestHeaders } from './calls';
export { clientFor, type DeliveryKind, deliveryIntegrationSlug, sendDelivery } from './clients';
export {
  type EnvironmentSwitchView,
  environmentSwitches,
  environmentSwitchSchema,
  NoSandboxError,
  switchEnvironment,
} from './environments';
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
export { activeTarget, type Integration, type IntegrationRow } from './rows';
export {
  AUTH_SCHEMES,
  type IntegrationConfig,
  type IntegrationInput,
  type IntegrationTarget,
  integrationPatchSchema,
  integrationSchema,
  targetSchema,
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
  loadIntegrationSnapshot,
  replaceIntegrationSnapshot,
} from './snapshot';
