import { TokenManager } from '@/components/features/auth/TokenManager';
import { requireAccess } from '@/lib/auth';

export const metadata = { title: 'API tokens · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function TokensPage({ searchParams }: Props) {
  // The workspace's admins manage its tokens; anyone else gets a 404 (the page offers nothing they may do).
  const { workspace } = await requireAccess((await searchParams).ws, 'admin');
  return (
    <>
      <h1>API tokens</h1>
      <p className="muted">
        Tokens of workspace <strong>{workspace.name}</strong>. Callers send a token as{' '}
        <code>Authorization: Bearer …</code> to the gateway at <code>/api/gw/&lt;integration&gt;/…</code>. A token is
        shown once, when it is created; only its hash is stored. Scopes, an integration allow-list, an expiry, a rate
        limit and a monthly quota per integration limit what it may do.
      </p>
      <TokenManager />
    </>
  );
}
