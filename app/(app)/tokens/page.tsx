import { TokenManager } from '@/components/features/auth/TokenManager';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'API tokens · Breakwater' };

export default async function TokensPage() {
  await requireUser();
  return (
    <>
      <h1>API tokens</h1>
      <p className="muted">
        Callers send a token as <code>Authorization: Bearer …</code> to the gateway at{' '}
        <code>/api/gw/&lt;integration&gt;/…</code>. A token is shown once, when it is created; only its hash is stored.
      </p>
      <TokenManager />
    </>
  );
}
