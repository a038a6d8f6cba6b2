export {
  type Access,
  accessFor,
  forgetMemberships,
  type Membership,
  membershipsOf,
  refusalOf,
  roleOfScopes,
  WORKSPACE_COOKIE,
  WORKSPACE_HEADER,
  WORKSPACE_PARAM,
  type WorkspaceRef,
} from './access';
export { ADMIN_USERNAME, ensureAdmin } from './admin';
export { clientAddress, recordPeerAddresses } from './client-address';
export { type LoginResult, logIn } from './login';
export { safeNextPath } from './next-path';
export { requireAccess, requireUser } from './page';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
export {
  authenticate,
  bearerToken,
  bearerTokenOf,
  type Caller,
  cookieValue,
  isCrossSiteRequest,
  isSameOriginRequest,
  isSecureRequest,
  sessionToken,
  wantsSecureCookie,
} from './request';
export {
  clearedSessionCookies,
  createSession,
  deleteSession,
  SESSION_COOKIE,
  type SessionUser,
  sessionCookie,
  userForSession,
} from './sessions';
export {
  type ApiTokenRow,
  type ApiTokenView,
  createApiToken,
  flushTokenUse,
  listApiTokens,
  loadTokenSnapshot,
  type NewApiToken,
  replaceTokenSnapshot,
  revokeApiToken,
  TOKEN_PREFIX,
  type TokenOwner,
  tokenOwnerForGateway,
  verifyApiToken,
} from './tokens';
export {
  admitTokenCall,
  type CallerRefusal,
  flushTokenUsage,
  type IntegrationCaller,
  integrationCallers,
  loadTokenUsage,
  quotaResetsAt,
  utcMonth,
} from './usage';
