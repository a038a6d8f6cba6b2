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
export {
  type AcceptResult,
  acceptInvite,
  changeMemberRole,
  changePassword,
  createInvite,
  INVITE_TTL_DAYS,
  type InviteView,
  inviteBySecret,
  listMembers,
  listPendingInvites,
  type MemberView,
  removeMember,
  revokeInvite,
} from './members';
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
  ownOrigin,
  sessionToken,
  wantsSecureCookie,
} from './request';
export {
  clearedSessionCookies,
  createSession,
  deleteSession,
  deleteSessionsOf,
  listSessions,
  revokeSession,
  SESSION_COOKIE,
  type SessionOrigin,
  type SessionUser,
  type SessionView,
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
  revokeTokensOf,
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
export { createWorkspaceWithAdmin, listOwnWorkspaces } from './workspaces';
