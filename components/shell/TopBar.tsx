'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/explorer', label: 'Explorer' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/dead-letters', label: 'Dead letters' },
  { href: '/syncs', label: 'Syncs' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/settings/integrations', label: 'Settings' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/members', label: 'Members' },
  { href: '/audit', label: 'Audit' },
  { href: '/account', label: 'Account' },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' || pathname.startsWith('/integrations/') : pathname.startsWith(href);
}

export function TopBar({ username }: { username: string }) {
  const pathname = usePathname();
  async function signOut() {
    await fetch('/api/auth/logout', { method: 'POST' });
    window.location.assign('/login');
  }
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        Breakwater
      </Link>
      <nav aria-label="Main">
        {LINKS.map((link) => (
          <Link key={link.href} href={link.href} aria-current={isCurrent(pathname, link.href) ? 'page' : undefined}>
            {link.label}
          </Link>
        ))}
      </nav>
      <span className="muted">{username}</span>
      <button type="button" className="secondary" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}
