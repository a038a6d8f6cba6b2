import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Providers } from '@/components/shell/Providers';
import { TelemetryHealth } from '@/components/shell/TelemetryHealth';
import { TopBar } from '@/components/shell/TopBar';
import { THEME_COOKIE, themeOf } from '@/components/shell/theme';
import { WorkspaceProvider } from '@/components/shell/Workspace';
import { membershipsOf, requireAccess, requireUser, WORKSPACE_HEADER } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { getRecorder } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

// A layout gets no search parameters: the proxy hands it the page's `ws` in a request header it sets itself.
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const memberships = await membershipsOf(getDb(), user.id);
  // A user in no workspace (removed from the last one) still has their account page, and nothing else.
  const access =
    memberships.length > 0 ? await requireAccess((await headers()).get(WORKSPACE_HEADER) ?? undefined) : null;
  const workspace = access && {
    current: { ...access.workspace, role: access.role ?? 'viewer' },
    all: memberships.map((m) => ({ ...m.workspace, role: m.role })),
    isOwner: user.isOwner,
  };
  return (
    <Providers>
      <WorkspaceProvider value={workspace}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className="shell">
          <TopBar username={user.username} theme={themeOf((await cookies()).get(THEME_COOKIE)?.value)} />
          <main id="main" tabIndex={-1}>
            <TelemetryHealth {...getRecorder().stats} />
            {children}
          </main>
        </div>
      </WorkspaceProvider>
    </Providers>
  );
}
