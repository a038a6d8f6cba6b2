'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { sendJson } from '@/components/ui/api';

/** Queues a new forward of the stored event; "new key" makes the application treat it as new work. */
export function WebhookReplayButton({ eventId }: { eventId: string }) {
  const router = useRouter();
  const [idempotency, setIdempotency] = useState<'reuse' | 'new'>('reuse');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function replay() {
    setBusy(true);
    try {
      const result = await sendJson<{ jobId: string; idempotencyKey: string }>(
        `/api/webhook-events/${encodeURIComponent(eventId)}/replay`,
        'POST',
        { idempotency },
      );
      setStatus({ ok: true, text: `Replay queued as job ${result.jobId} (key ${result.idempotencyKey}).` });
      router.refresh();
    } catch (error) {
      setStatus({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="row">
      <label className="inline">
        Idempotency key
        <select value={idempotency} onChange={(e) => setIdempotency(e.target.value as 'reuse' | 'new')}>
          <option value="reuse">same as the event (default)</option>
          <option value="new">new</option>
        </select>
      </label>
      <button type="button" onClick={replay} disabled={busy}>
        {busy ? 'Replaying…' : 'Replay'}
      </button>
      {status && (
        <span className={status.ok ? 'status-ok' : 'field-error'} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </span>
      )}
    </div>
  );
}
