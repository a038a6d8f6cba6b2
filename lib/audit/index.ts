export { type AuditActor, type AuditEntry, auditDiff, recordAudit } from './record';
