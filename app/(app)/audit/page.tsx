import { AuditLog } from '@/components/features/audit/AuditLog';
import { requireAccess } from '@/lib/auth';

export const metadata = { title: 'Audit log · Breakwater' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ ws?: string | string[] }> }) {
  const access = await requireAccess((await searchParams).ws, 'admin');
  return (
    <>
      <h1>Audit log of {access.workspace.name}</h1>
      <p className="muted">
        Every change to this workspace: who (user or token), from which address, and the fields before and after.
        Secrets and bodies are never recorded. Events cannot be edited or deleted; they are kept for
        BREAKWATER_AUDIT_RETENTION_DAYS (365 by default).
      </p>
      <AuditLog ws={access.workspace.slug} />
    </>
  );
}
