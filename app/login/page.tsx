import { LoginForm } from '@/components/features/auth/LoginForm';
import { safeNextPath } from '@/lib/auth';

export const metadata = { title: 'Sign in · Breakwater' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  // Only paths on this site: an open redirect after sign-in would be a phishing aid.
  const next = safeNextPath((await searchParams).next);
  return (
    <div className="login">
      <LoginForm next={next} />
    </div>
  );
}
