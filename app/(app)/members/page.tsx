import { MembersManager } from '@/components/features/members/MembersManager';
import { requireAccess } from '@/lib/auth';

export const metadata = { title: 'Members · Breakwater' };

export default async function MembersPage({ searchParams }: { searchParams: Promise<{ ws?: string | string[] }> }) {
  const access = await requireAccess((await searchParams).ws, 'admin');
  return (
    <>
      <h1>Members of {access.workspace.name}</h1>
      <p className="muted">
        Viewers read; operators also replay and act on breakers, jobs and silences; editors also configure integrations,
        sources, syncs and alerts; admins also manage members, tokens and workspace settings. An invitation link works
        once and expires; removing a member signs them out everywhere at once.
      </p>
      <MembersManager ws={access.workspace.slug} selfId={access.user.id} />
    </>
  );
}
