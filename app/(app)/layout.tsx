import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Providers } from '@/components/Providers';
import { TelemetryHealth } from '@/components/TelemetryHealth';
import { TopBar } from '@/components/TopBar';
import { SESSION_COOKIE, userForSession } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { getRecorder } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await userForSession(getDb(), (await cookies()).get(SESSION_COOKIE)?.value);
  if (!user) redirect('/login');
  return (
    <Providers>
      <div className="shell">
        <TopBar username={user.username} />
        <main>
          <TelemetryHealth {...getRecorder().stats} />
          {children}
        </main>
      </div>
    </Providers>
  );
}
