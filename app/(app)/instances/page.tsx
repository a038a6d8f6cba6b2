import { DataTable } from '@/components/ui/DataTable';
import { formatTime } from '@/components/ui/format';
import { requireAccess } from '@/lib/auth';
import { clusterInstances, STALE_AFTER_HEARTBEATS } from '@/lib/server/instances';

export const metadata = { title: 'Instances · Breakwater' };
export const dynamic = 'force-dynamic';

export default async function InstancesPage({ searchParams }: { searchParams: Promise<{ ws?: string | string[] }> }) {
  await requireAccess((await searchParams).ws);
  const instances = await clusterInstances();
  return (
    <>
      <h1>Instances</h1>
      <p className="muted">
        Every Breakwater process sharing this database, as its last heartbeat (every BREAKWATER_HEARTBEAT_MS) left it.
        One that missed {STALE_AFTER_HEARTBEATS} heartbeats is marked stopped; it disappears after an hour.
      </p>
      <DataTable
        label="Instances"
        columns={['Instance', 'Status', 'Version', 'Started', 'Last heartbeat', 'Calls/s', 'Recorder drops', 'Redis']}
        rows={instances}
        empty="No instance has heartbeated yet."
      >
        {(instance) => (
          <tr key={instance.id} data-instance={instance.id}>
            <td>
              <code>{instance.id}</code>
            </td>
            <td>
              {instance.stale ? (
                <strong className="status-bad">stopped heartbeating</strong>
              ) : (
                <span className="status-ok">running</span>
              )}
            </td>
            <td>{instance.version}</td>
            <td>{formatTime(instance.startedAt, true)}</td>
            <td>{formatTime(instance.heartbeatAt, true)}</td>
            <td className="num">{instance.callsPerSecond}</td>
            <td className="num">{instance.recorderDrops}</td>
            <td>
              {instance.redisDegraded ? <strong className="status-bad">degraded: local state</strong> : 'not degraded'}
            </td>
          </tr>
        )}
      </DataTable>
    </>
  );
}
