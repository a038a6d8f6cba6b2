'use client';

import Link from 'next/link';
import { SyncList } from './SyncList';

/** The integration page's view of the syncs that poll it: last run, lag and error. */
export function SyncPanel({ integration }: { integration: string }) {
  return (
    <section className="panel" aria-label="Syncs" style={{ marginBottom: 16 }}>
      <div className="page-head">
        <h2>Syncs</h2>
        <span className="spacer" />
        <Link href="/syncs">All syncs</Link>
      </div>
      <SyncList integration={integration} />
    </section>
  );
}
