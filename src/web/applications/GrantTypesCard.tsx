import { useEffect, useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type Client } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorSlot } from '../components/Field.tsx';
import { grantOptionsFor, grantTypesToSave, sameGrants } from './grant-types.ts';

/** Grant Types: which ways of getting tokens the token endpoint allows this application. */
export function GrantTypesCard({ client, onSaved }: { client: Client; onSaved: (c: Client) => void }) {
  const { api } = useTenant();
  const id = useId();
  const offered = grantOptionsFor(client.app_type);
  const stored = client.grant_types ?? [];
  const [checked, setChecked] = useState<Set<string>>(() => new Set(stored));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  // Another tab (or the server) may have changed the application; show what is stored.
  useEffect(() => setChecked(new Set(stored)), [stored.join(' ')]);

  const next = grantTypesToSave(stored, offered, checked);
  const dirty = !sameGrants(next, stored);

  const toggle = (type: string, on: boolean) => {
    setChecked((s) => {
      const n = new Set(s);
      if (on) n.add(type);
      else n.delete(type);
      return n;
    });
    setSaved(false);
    setError(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, { grant_types: next });
      onSaved(updated);
      setSaved(true);
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="card-header">
        <h2 id={`${id}-h`} className="card-title">
          Grant Types
        </h2>
        <p className="card-subtitle">How this application may get tokens. The token endpoint refuses any grant not checked here.</p>
      </div>
      <form className="card-body form" onSubmit={save} noValidate>
        <fieldset className="fieldset">
          <legend className="field-label">Allowed grants</legend>
          {offered.map((g) => {
            const cid = `${id}-${g.type}`;
            return (
              <div key={g.type} className="grant-option">
                <div className="check-row">
                  <input
                    type="checkbox"
                    className="checkbox"
                    id={cid}
                    checked={checked.has(g.type)}
                    onChange={(e) => toggle(g.type, e.target.checked)}
                    aria-describedby={`${cid}-hint`}
                  />
                  <label htmlFor={cid}>{g.label}</label>
                </div>
                <p id={`${cid}-hint`} className="field-hint grant-option-hint">
                  {g.hint}
                </p>
              </div>
            );
          })}
        </fieldset>
        <ErrorSlot message={error} />
        <div className="form-actions">
          <span className={`form-status ${dirty && !saved ? 'form-status-pending' : ''}`} role="status">
            {saved && !dirty ? 'Changes saved.' : dirty ? 'Unsaved changes.' : ''}
          </span>
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            Save Changes
          </button>
        </div>
      </form>
    </section>
  );
}
