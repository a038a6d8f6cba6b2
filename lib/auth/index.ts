export { ADMIN_USERNAME, ensureAdmin } from './admin';
export { clientAddress, recordPeerAddresses } from './client-address';
export { type LoginResult, logIn } from './login';
export { safeNextPath } from './next-path';
export { requireUser } from './page';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
export {
  authenticate,
  bearerToken,
  bearerTokenOf,
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
  replaceTokenSnapshot,
  revokeApiToken,
  TOKEN_PREFIX,
  type TokenOwner,
  tokenOwnerForGateway,
  verifyApiToken,
} from './tokens';
