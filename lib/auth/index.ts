export { ADMIN_USERNAME, ensureAdmin } from './admin';
export { type LoginResult, logIn } from './login';
export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
export { authenticate, bearerToken, cookieValue, isSecureRequest } from './request';
export {
  clearedSessionCookie,
  createSession,
  deleteSession,
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
