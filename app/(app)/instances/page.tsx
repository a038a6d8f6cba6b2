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
      <div className="table-wrap">
        <table aria-label="Instances">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Status</th>
              <th>Version</th>
              <th>Started</th>
              <th>Last heartbeat</th>
              <th className="num">Calls/s</th>
              <th className="num">Recorder drops</th>
              <th>Shared state</th>
            </tr>
          </thead>
          <tbody>
            {instances.map((instance) => (
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
                <td>{new Date(instance.startedAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</td>
                <td>{new Date(instance.heartbeatAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</td>
                <td className="num">{instance.callsPerSecond}</td>
                <td className="num">{instance.recorderDrops}</td>
                <td>{instance.redisDegraded ? <strong className="status-bad">degraded: local state</strong> : 'ok'}</td>
              </tr>
            ))}
            {instances.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No instance has heartbeated yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
