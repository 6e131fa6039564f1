import { useId, useState, type FormEvent } from 'react';
import { toApiError, type Credential } from '../api.ts';
import { Dialog, DialogActions } from '../components/Dialog.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { formatDateTime } from '../format.ts';
import { isExpired } from './expiry.ts';
import { credentialName, newestFirst } from './names.ts';
import { leavingMethodConsequence } from './consequences.ts';
import { MAX_ENABLED_CREDENTIALS } from './rules.ts';
import type { Method } from './AuthMethodsSection.tsx';

interface Props {
  appName: string;
  from: Method;
  to: Method;
  toLabel: string;
  credentials: Credential[];
  /** Applies the change; for Private Key JWT with the credentials picked here. */
  onConfirm: (enableIds: string[]) => Promise<void>;
  onClose: () => void;
}

/**
 * The question before an authentication method changes: what stops working, and, for Private
 * Key JWT, which credentials to enable. Nothing is picked for the user unless there is only one
 * to pick, and never more than the server allows.
 */
export function SwitchMethodDialog({ appName, from, to, toLabel, credentials, onConfirm, onClose }: Props) {
  const usable = credentials.filter((c) => !isExpired(c.expires_at)).sort(newestFirst);
  const [picked, setPicked] = useState<string[]>(usable.length === 1 ? [usable[0]!.id] : []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const pkjwt = to === 'private_key_jwt';
  const ready = !pkjwt || (picked.length >= 1 && picked.length <= MAX_ENABLED_CREDENTIALS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm(pkjwt ? picked : []);
    } catch (err) {
      setError(toApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Switch to ${toLabel}?`} onClose={onClose} size="small">
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={error} />
        <div className="dialog-text">
          <p>
            {toLabel} becomes the authentication method of <strong className="break">{appName}</strong>. {leavingMethodConsequence(from)}
            {to === 'none' && ' The application becomes public: it proves nothing about itself when it asks for tokens.'}
          </p>
        </div>
        {pkjwt && (
          <fieldset className="fieldset" aria-describedby={`${id}-hint`}>
            <legend className="field-label">Credentials to enable</legend>
            <p id={`${id}-hint`} className="field-hint">
              Choose one or two: at most {MAX_ENABLED_CREDENTIALS} can be enabled at once. Only assertions signed with their private keys are accepted.
            </p>
            {usable.map((c) => {
              const checked = picked.includes(c.id);
              const full = !checked && picked.length >= MAX_ENABLED_CREDENTIALS;
              return (
                <div className="check-row" key={c.id}>
                  <input
                    type="checkbox"
                    className="checkbox"
                    id={`${id}-${c.id}`}
                    checked={checked}
                    disabled={full || busy}
                    onChange={(e) => setPicked((p) => (e.target.checked ? [...p, c.id] : p.filter((x) => x !== c.id)))}
                  />
                  <label htmlFor={`${id}-${c.id}`}>
                    {credentialName(c)} <span className="field-hint">({c.alg}, added {formatDateTime(c.created_at)})</span>
                  </label>
                </div>
              );
            })}
          </fieldset>
        )}
        <DialogActions onCancel={onClose} label={`Switch to ${toLabel}`} busy={busy} disabled={!ready} tone="danger" />
      </form>
    </Dialog>
  );
}
