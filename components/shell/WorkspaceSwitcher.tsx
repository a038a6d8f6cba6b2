'use client';

import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { sendJson } from '@/components/ui/api';
import { useWorkspace, workspaceHref } from './Workspace';

// Pages that show one object go to their section's list in another workspace, where the object is not.
function sectionOf(pathname: string): string {
  if (pathname.startsWith('/integrations/') || pathname.startsWith('/calls/')) return '/';
  const first = pathname.split('/')[1];
  if (first === 'settings') return '/settings/integrations';
  return first ? `/${first}` : '/';
}

/** The workspace menu: remembers the choice (cookie) and opens the same section in the chosen workspace. */
export function WorkspaceSwitcher() {
  const workspace = useWorkspace();
  const pathname = usePathname();
  const [error, setError] = useState<string | null>(null);
  if (!workspace) return null;
  async function choose(slug: string) {
    setError(null);
    try {
      await sendJson('/api/me/workspace', 'POST', { slug });
      const sameSection = pathname.split('/').length <= 2 && !pathname.startsWith('/calls');
      window.location.assign(workspaceHref(sameSection ? pathname : sectionOf(pathname), slug));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }
  return (
    <label className="workspace-switcher">
      <span className="muted">Workspace</span>
      <select
        aria-label="Workspace"
        value={workspace.current.slug}
        onChange={(event) => void choose(event.target.value)}
      >
        {workspace.all.map((w) => (
          <option key={w.slug} value={w.slug}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
      {error && <span role="alert">{error}</span>}
    </label>
  );
}
