export {
  AUDIT_PAGE_MAX,
  type AuditEventView,
  type AuditFilters,
  isAuditCursor,
  listAuditEvents,
} from './query';
export { type AuditActor, type AuditEntry, auditDiff, recordAudit, recordAuditForUser } from './record';
export { pruneAuditEvents } from './retention';
