export { type ForwardRequest, forwardCall, type RequestHeaders } from './calls';
export { clientFor, type DeliveryKind, deliveryIntegrationSlug, sendDelivery, tokenClientFor } from './clients';
export {
  type EnvironmentSwitchView,
  environmentSwitches,
  environmentSwitchSchema,
  NoSandboxError,
  switchEnvironment,
} from './environments';
export { OAuth2RejectedError, OAuth2TokenError, oauth2AccessToken, TOKEN_ROUTE } from './oauth';
export { oauth2Tokens, TokenCache } from './oauth-tokens';
export { outboundPolicy, plainHttpAllowed, refuseOutboundUrl } from './outbound';
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
export { OTHER_ROUTE, RouteCap, routeOf, templateRoute } from './routes';
export { activeTarget, type Integration, type IntegrationRow } from './rows';
export {
  AUTH_SCHEMES,
  type IntegrationConfig,
  type IntegrationInput,
  type IntegrationTarget,
  integrationPatchSchema,
  integrationSchema,
  OAUTH2_CLIENT_AUTH,
  OAUTH2_KEY_ALGORITHMS,
  type OAuth2Config,
  oauth2Schema,
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
  integrationOfId,
  loadIntegrationSnapshot,
  replaceIntegrationSnapshot,
  workspaceSlugOf,
} from './snapshot';
