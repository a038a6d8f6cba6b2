import Link from 'next/link';
import type { ReactNode } from 'react';

export default function AlertsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <nav aria-label="Alerts" className="toolbar">
        <Link href="/alerts">Rules</Link>
        <Link href="/alerts/new">New rule</Link>
        <Link href="/alerts/silences">Silences</Link>
        <Link href="/alerts/channels">Channels</Link>
      </nav>
      {children}
    </>
  );
}
