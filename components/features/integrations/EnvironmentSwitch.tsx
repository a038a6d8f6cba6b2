'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { sendJson } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import type { Environment } from '@/lib/model';

/**
 * The integration's active environment and, when it has a sandbox, the switch to the other one behind a
 * confirmation (every call goes to the other target at once, on every instance).
 */
export function EnvironmentSwitch({
  slug,
  active,
  targets,
}: {
  slug: string;
  active: Environment;
  /** each configured environment's base URL */
  targets: Partial<Record<Environment, string>>;
}) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState(active);
  const other: Environment = current === 'production' ? 'sandbox' : 'production';
  const change = useMutation({
    mutationFn: (environment: Environment) =>
      sendJson<{ integration: { activeEnvironment: Environment } }>(
        `/api/integrations/${encodeURIComponent(slug)}/environment`,
        'POST',
        { environment },
      ),
    onSuccess: (data) => {
      setCurrent(data.integration.activeEnvironment);
      router.refresh();
    },
  });
  return (
    <fieldset className="row plain">
      <legend className="sr-only">Environment</legend>
      <span className="muted">Environment:</span>
      <span className="badge" data-testid="active-environment">
        {current}
      </span>
      <span className="mono muted">{targets[current]}</span>
      {targets[other] !== undefined && (
        <button
          type="button"
          className="secondary"
          onClick={() => dialog.current?.showModal()}
          disabled={change.isPending}
        >
          Switch to {other}
        </button>
      )}
      {change.isError && (
        <span className="field-error" role="alert">
          {change.error.message}
        </span>
      )}
      <ConfirmDialog
        dialogRef={dialog}
        title={`Switch to ${other}?`}
        confirmLabel={`Switch to ${other}`}
        danger={other === 'production'}
        onConfirm={() => change.mutate(other)}
      >
        Every call to this integration goes to {targets[other]} with the {other} credentials, on every instance, from
        now on. The switch is recorded with your name.
      </ConfirmDialog>
    </fieldset>
  );
}
