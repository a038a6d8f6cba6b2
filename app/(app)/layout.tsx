import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from '@/components/shell/Providers';
import { TelemetryHealth } from '@/components/shell/TelemetryHealth';
import { TopBar } from '@/components/shell/TopBar';
import { WorkspaceProvider } from '@/components/shell/Workspace';
import { membershipsOf, requireAccess, WORKSPACE_HEADER } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { getRecorder } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

// A layout gets no search parameters: the proxy hands it the page's `ws` in a request header it sets itself.
export default async function AppLayout({ children }: { children: ReactNode }) {
  const access = await requireAccess((await headers()).get(WORKSPACE_HEADER) ?? undefined);
  const all = (await membershipsOf(getDb(), access.user.id)).map((m) => ({ ...m.workspace, role: m.role }));
  const workspace = {
    current: { ...access.workspace, role: access.role ?? 'viewer' },
    all,
    isOwner: access.user.isOwner,
  };
  return (
    <Providers>
      <WorkspaceProvider value={workspace}>
        <div className="shell">
          <TopBar username={access.user.username} />
          <main>
            <TelemetryHealth {...getRecorder().stats} />
            {children}
          </main>
        </div>
      </WorkspaceProvider>
    </Providers>
  );
}
