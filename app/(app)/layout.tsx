import type { ReactNode } from 'react';
import { Providers } from '@/components/shell/Providers';
import { TelemetryHealth } from '@/components/shell/TelemetryHealth';
import { TopBar } from '@/components/shell/TopBar';
import { requireUser } from '@/lib/auth';
import { getRecorder } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
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
