import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog, DialogActions } from './Dialog.tsx';
import { ErrorBanner } from './Banner.tsx';
import { Field } from './Field.tsx';
import { toApiError } from '../api.ts';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** When set, the user must type this exact text before confirming (for irreversible deletes). */
  typeToConfirm?: { label: string; value: string };
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** Errors the caller shows elsewhere (e.g. in the row) instead of inside the dialog. */
  onError?: (message: string) => void;
}

/** A destructive action's last question. The confirm button stays disabled until the typed text matches. */
export function ConfirmDialog({ title, children, confirmLabel, typeToConfirm, onConfirm, onClose, onError }: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = !typeToConfirm || typed === typeToConfirm.value;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      const message = toApiError(err).message;
      setBusy(false);
      if (onError) {
        onError(message);
        onClose();
      } else setError(message);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} size="small">
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={error} />
        <div className="dialog-text">{children}</div>
        {typeToConfirm && (
          <Field label={typeToConfirm.label}>
            {(p) => <input {...p} className="input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
        )}
        <DialogActions onCancel={onClose} label={confirmLabel} busy={busy} disabled={!ready} tone="danger" />
      </form>
    </Dialog>
  );
}
