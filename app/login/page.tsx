import { LoginForm } from '@/components/LoginForm';

export const metadata = { title: 'Sign in · Breakwater' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const target = next?.startsWith('/') && !next.startsWith('//') ? next : '/';
  return (
    <div className="login">
      <LoginForm next={target} />
    </div>
  );
}
