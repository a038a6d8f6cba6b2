'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type Role, roleAtLeast } from '@/lib/model';
import { ThemeToggle } from './ThemeToggle';
import type { Theme } from './theme';
import { useWorkspace, workspaceHref } from './Workspace';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

// Sections a role cannot use are not offered (the pages and the API refuse them anyway).
const LINKS: { href: string; label: string; role: Role }[] = [
  { href: '/', label: 'Overview', role: 'viewer' },
  { href: '/explorer', label: 'Explorer', role: 'viewer' },
  { href: '/alerts', label: 'Alerts', role: 'viewer' },
  { href: '/usage', label: 'Usage', role: 'viewer' },
  { href: '/jobs', label: 'Jobs', role: 'viewer' },
  { href: '/dead-letters', label: 'Dead letters', role: 'viewer' },
  { href: '/syncs', label: 'Syncs', role: 'viewer' },
  { href: '/webhooks', label: 'Webhooks', role: 'viewer' },
  { href: '/instances', label: 'Instances', role: 'viewer' },
  { href: '/settings/integrations', label: 'Settings', role: 'editor' },
  { href: '/tokens', label: 'API tokens', role: 'admin' },
  { href: '/members', label: 'Members', role: 'admin' },
  { href: '/audit', label: 'Audit log', role: 'admin' },
  { href: '/account', label: 'Account', role: 'viewer' },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' || pathname.startsWith('/integrations/') : pathname.startsWith(href);
}

export function TopBar({ username, theme }: { username: string; theme: Theme }) {
  const pathname = usePathname();
  const workspace = useWorkspace();
  // In no workspace, only the account page is left.
  const links = LINKS.filter((link) =>
    workspace ? roleAtLeast(workspace.current.role, link.role) : link.href === '/account',
  );
  async function signOut() {
    await fetch('/api/auth/logout', { method: 'POST' });
    window.location.assign('/login');
  }
  return (
    <header className="topbar">
      <Link href={workspaceHref('/', workspace?.current.slug)} className="brand">
        Breakwater
      </Link>
      <WorkspaceSwitcher />
      <nav aria-label="Main">
        {links.map((link) => (
          <Link
            key={link.href}
            href={workspaceHref(link.href, workspace?.current.slug)}
            aria-current={isCurrent(pathname, link.href) ? 'page' : undefined}
          >
            {link.label}
          </Link>
        ))}
      </nav>
      <span className="muted" title={workspace ? `${workspace.current.role} in ${workspace.current.name}` : undefined}>
        {username}
        {workspace && <span className="role-badge">{workspace.current.role}</span>}
      </span>
      <ThemeToggle initial={theme} />
      <button type="button" className="secondary" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}
