'use client';

import { type ReactNode, type RefObject, useId } from 'react';

/**
 * A modal confirmation (open it with `ref.current.showModal()`): a title, what will happen, the confirming
 * button and Cancel. Nothing is shown while `title` is null (no action waits for confirmation).
 */
export function ConfirmDialog({
  dialogRef,
  title,
  confirmLabel,
  danger = true,
  onConfirm,
  onClose,
  children,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  title: string | null;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose?: () => void;
  children: ReactNode;
}) {
  const titleId = useId();
  return (
    <dialog ref={dialogRef} aria-labelledby={titleId} onClose={onClose}>
      {title !== null && (
        <form
          method="dialog"
          onSubmit={(e) => {
            if ((e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') === 'confirm') onConfirm();
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <p>{children}</p>
          <div className="row">
            <button type="submit" value="confirm" className={danger ? 'danger' : undefined}>
              {confirmLabel}
            </button>
            <button type="submit" value="cancel" className="secondary">
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
