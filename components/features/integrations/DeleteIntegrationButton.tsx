'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { fetchJson } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';

/** Deletes an integration after a confirmation naming what is lost with it. */
export function DeleteIntegrationButton({ slug, name }: { slug: string; name: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    try {
      await fetchJson(`/api/integrations/${encodeURIComponent(slug)}`, { method: 'DELETE' });
      router.push('/settings/integrations');
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>
        Delete
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      <ConfirmDialog dialogRef={dialog} title={`Delete ${name}?`} confirmLabel={`Delete ${name}`} onConfirm={remove}>
        Its gateway route stops working, and its call log, metrics and breaker history are deleted with it.
      </ConfirmDialog>
    </>
  );
}
