import Link from 'next/link';
import { notFound } from 'next/navigation';
import { eventStateClass } from '@/components/features/webhooks/WebhookEventState';
import { WebhookReplayButton } from '@/components/features/webhooks/WebhookReplayButton';
import { formatTime } from '@/components/ui/format';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { roleAtLeast } from '@/lib/model';
import { eventDetail } from '@/lib/webhooks';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export const metadata = { title: 'Webhook event · Breakwater' };

export default async function WebhookEventPage({ params, searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const event = await eventDetail(getDb(), workspace.id, (await params).id);
  if (!event) notFound();
  const { job } = event;
  return (
    <>
      <p>
        <Link href={`/webhooks/events?source=${encodeURIComponent(event.source.slug)}`}>← Events</Link>
      </p>
      <div className="page-head">
        <h1 className="mono">{event.dedupKey}</h1>
        <span className={eventStateClass(event.state)} data-testid="event-state">
          {event.state}
        </span>
      </div>
      <div className="grid-2">
        <section className="panel" aria-label="Event">
          <dl className="kv">
            <dt>Source</dt>
            <dd>
              <Link href="/webhooks">{event.source.name}</Link> → {event.source.integration}
            </dd>
            <dt>Event id</dt>
            <dd className="mono">{event.id}</dd>
            <dt>Received</dt>
            <dd>{formatTime(event.receivedAt.getTime(), true)}</dd>
            <dt>Size</dt>
            <dd>{event.sizeBytes} bytes</dd>
            <dt>Redeliveries</dt>
            <dd data-testid="event-duplicates">{event.duplicates}</dd>
            <dt>Forwarded</dt>
            <dd>{event.forwardedAt ? formatTime(event.forwardedAt.getTime(), true) : '–'}</dd>
            <dt>Last error</dt>
            <dd className="mono">{event.lastError ?? '–'}</dd>
          </dl>
        </section>
        <section className="panel" aria-label="Forward job">
          <h2>Forward</h2>
          {job ? (
            <dl className="kv">
              <dt>Job</dt>
              <dd className="mono">
                <Link href={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
              </dd>
              <dt>Job state</dt>
              <dd>{job.state}</dd>
              <dt>Attempts</dt>
              <dd>
                {job.attempts} of {job.maxAttempts}
              </dd>
              <dt>Idempotency key</dt>
              <dd className="mono">{job.idempotencyKey}</dd>
              <dt>Last status</dt>
              <dd>{job.lastStatus ?? '–'}</dd>
              <dt>Next attempt</dt>
              <dd>{job.nextAttemptAt ? formatTime(job.nextAttemptAt.getTime(), true) : '–'}</dd>
            </dl>
          ) : (
            <p className="muted">No forward job yet.</p>
          )}
          {!!role && roleAtLeast(role, 'operator') && <WebhookReplayButton eventId={event.id} />}
        </section>
      </div>
      <div className="grid-2" style={{ marginTop: 12 }}>
        <section className="panel">
          <h2>Headers (credentials redacted)</h2>
          <dl className="kv mono">
            {Object.entries(event.headers).map(([name, value]) => (
              <div key={name} style={{ display: 'contents' }}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="panel">
          <h2>Body</h2>
          <pre className="body" data-testid="event-body">
            {event.body}
          </pre>
        </section>
      </div>
    </>
  );
}
