import { useEffect, useRef, useState, type FormEvent } from 'react';
import { seg, toApiError, type Credential } from '../api.ts';
import { useTenant } from '../context.ts';
import { Field } from '../components/Field.tsx';
import { endOfLocalDayIso, localDateInput, tomorrowInput } from './expiry.ts';
import { credentialName } from './names.ts';

/** Inline change of a credential's expiry; the only thing about a credential that can change. */
export function ExpiryEditor({ clientId, credential, onSaved, onCancel }: { clientId: string; credential: Credential; onSaved: (c: Credential) => void; onCancel: () => void }) {
  const { api } = useTenant();
  const [date, setDate] = useState(localDateInput(credential.expires_at));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector('input')?.focus();
  }, []);

  const send = async (expiresAt: string | null) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.patch<Credential>(`/clients/${seg(clientId)}/credentials/${seg(credential.id)}`, { expires_at: expiresAt }));
    } catch (err) {
      setError(toApiError(err).message);
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const iso = endOfLocalDayIso(date);
    if (!iso) {
      setError('Choose a date, or remove the expiry.');
      return;
    }
    void send(iso);
  };

  return (
    <form ref={form} className="inline-editor" onSubmit={save} noValidate aria-label={`Expiry of ${credentialName(credential)}`}>
      <Field label="New expiry date" error={error} hint="The credential stops verifying at the end of this day (your time zone).">
        {(p) => <input {...p} type="date" className="input input-date" value={date} min={tomorrowInput()} onChange={(e) => {
              setDate(e.target.value);
              setError(null);
            }} />}
      </Field>
      <div className="inline-editor-actions">
        <button type="submit" className="button button-primary button-small" disabled={busy}>
          Save expiry
        </button>
        <button type="button" className="button button-secondary button-small" disabled={busy || !credential.expires_at} onClick={() => void send(null)}>
          Remove expiry
        </button>
        <button type="button" className="button button-quiet button-small" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
