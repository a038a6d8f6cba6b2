import { cookies } from 'next/headers';
import { AcceptInviteForm } from '@/components/features/members/AcceptInviteForm';
import { Providers } from '@/components/shell/Providers';
import { inviteBySecret, SESSION_COOKIE, userForSession } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { isDomainError } from '@/lib/model';

export const metadata = { title: 'Invitation · Breakwater' };
export const dynamic = 'force-dynamic';

/** Outside the app group: reachable without a session. Shows what the link offers, or why it no longer works. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let invite: Awaited<ReturnType<typeof inviteBySecret>>;
  try {
    invite = await inviteBySecret(getDb(), token);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return (
      <div className="login">
        <div className="panel login-form">
          <h1>Invitation</h1>
          <p className="alert" role="alert">
            {error.message}
          </p>
        </div>
      </div>
    );
  }
  const jar = await cookies();
  const user = await userForSession(
    getDb(),
    jar.get(`__Host-${SESSION_COOKIE}`)?.value || jar.get(SESSION_COOKIE)?.value,
  );
  return (
    <Providers>
      <div className="login">
        <AcceptInviteForm
          token={token}
          workspace={{ slug: invite.workspace.slug, name: invite.workspace.name }}
          role={invite.role}
          signedInAs={user?.username ?? null}
        />
      </div>
    </Providers>
  );
}
