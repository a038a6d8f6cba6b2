import { AccountSettings } from '@/components/features/members/AccountSettings';
import { membershipsOf, requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Account · Breakwater' };

export default async function AccountPage() {
  const user = await requireUser();
  const memberships = await membershipsOf(getDb(), user.id);
  return (
    <>
      <h1>Account: {user.username}</h1>
      {memberships.length === 0 ? (
        <p className="notice" role="status">
          No workspace: you are not a member of any workspace. Ask an admin for an invitation link.
        </p>
      ) : (
        <p className="muted">Workspaces: {memberships.map((m) => `${m.workspace.name} (${m.role})`).join(', ')}</p>
      )}
      <AccountSettings />
    </>
  );
}
