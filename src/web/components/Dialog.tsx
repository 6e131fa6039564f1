import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Short line under the title. */
  description?: ReactNode;
  size?: 'small' | 'medium';
}

const FOCUSABLE = 'input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/**
 * A modal built on the native <dialog>: the browser makes the rest of the page inert, traps
 * Tab inside and closes it on Escape. We only add focus on the first field, returning focus to
 * whatever opened it, and a close button.
 */
export function Dialog({ title, onClose, children, description, size = 'medium' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  // close() in the cleanup below fires a 'close' event after unmount; it must not close twice.
  const unmounted = useRef(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const body = dialog.querySelector<HTMLElement>('.dialog-body');
    (body?.querySelector<HTMLElement>(FOCUSABLE) ?? dialog.querySelector<HTMLElement>(FOCUSABLE))?.focus();
    unmounted.current = false;
    return () => {
      unmounted.current = true;
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        // Escape: let React unmount the dialog rather than the browser closing it behind our back.
        e.preventDefault();
        onCloseRef.current();
      }}
      onClose={() => {
        if (!unmounted.current && !ref.current?.open) onCloseRef.current();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => onCloseRef.current()}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {description && (
        <p id={descId} className="dialog-description">
          {description}
        </p>
      )}
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/** Cancel + submit, the footer of every form dialog (the submit button is the form's, so Enter submits). */
export function DialogActions({ onCancel, label, busy, disabled = false, tone = 'primary' }: { onCancel: () => void; label: string; busy: boolean; disabled?: boolean; tone?: 'primary' | 'danger' }) {
  return (
    <div className="dialog-actions">
      <button type="button" className="button button-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={`button button-${tone}`} disabled={disabled || busy} aria-busy={busy || undefined}>
        {label}
      </button>
    </div>
  );
}
