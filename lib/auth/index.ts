export { ADMIN_USERNAME, ensureAdmin } from './admin';
export { clientAddress, recordPeerAddresses } from './client-address';
export { type LoginResult, logIn } from './login';
export { safeNextPath } from './next-path';
export { requireUser } from './page';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
export {
  authenticate,
  bearerToken,
  type Caller,
  cookieValue,
  isCrossSiteRequest,
  isSameOriginRequest,
  isSecureRequest,
  sessionToken,
  wantsSecureCookie,
} from './request';
export {
  CREDENTIAL_CACHE_MS,
  clearedSessionCookies,
  createSession,
  deleteSession,
  SECURE_SESSION_COOKIE,
  SESSION_COOKIE,
  type SessionUser,
  sessionCookie,
  userForSession,
} from './sessions';
export {
  type ApiTokenView,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  TOKEN_PREFIX,
  type TokenOwner,
  verifyApiToken,
} from './tokens';
