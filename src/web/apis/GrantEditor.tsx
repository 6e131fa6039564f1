import { useId, useState, type ReactNode } from 'react';
import { seg, toApiError, type ClientGrant, type Scope } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorSlot } from '../components/Field.tsx';
import { plural } from '../format.ts';

interface GrantEditorProps {
  /** Who gets authorized for what, for the checkbox: "Authorize {name}". */
  subject: string;
  detail?: ReactNode;
  clientId: string;
  audience: string;
  scopes: Scope[];
  grant: ClientGrant | undefined;
  onChange: (grant: ClientGrant | undefined) => void;
  readOnly?: boolean;
}

/**
 * One application ↔ API authorization (a client grant), saved as soon as a box is ticked.
 * Authorizing starts with no scopes, as least privilege: the scopes the app needs are ticked next.
 * Controls are disabled while a change is in flight so changes cannot overtake one another.
 */
export function GrantEditor({ subject, detail, clientId, audience, scopes, grant, onChange, readOnly }: GrantEditorProps) {
  const { api } = useTenant();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  // What the boxes show while a change is in flight: the state asked for, not the one stored, so
  // a tick stays ticked (and reverts only if the server refuses).
  const [pending, setPending] = useState<{ granted: boolean; scope: string[] } | null>(null);

  const run = async (want: { granted: boolean; scope: string[] }, op: () => Promise<ClientGrant | undefined>) => {
    setBusy(true);
    setError(null);
    setPending(want);
    try {
      onChange(await op());
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setPending(null);
      setBusy(false);
    }
  };

  const toggleGrant = () =>
    run({ granted: !grant, scope: [] }, async () => {
      if (grant) {
        await api.delete(`/client-grants/${seg(grant.id)}`);
        return undefined;
      }
      return api.post<ClientGrant>('/client-grants', { client_id: clientId, audience, scope: [] });
    });

  const toggleScope = (value: string) => {
    if (!grant) return;
    const set = new Set(grant.scope);
    if (set.has(value)) set.delete(value);
    else set.add(value);
    // Keep the API's own order, so the stored grant reads the same way the API lists its scopes.
    const known = scopes.map((s) => s.value).filter((v) => set.has(v));
    const unknown = [...set].filter((v) => !scopes.some((s) => s.value === v));
    const scope = [...known, ...unknown];
    return run({ granted: true, scope }, () => api.patch<ClientGrant>(`/client-grants/${seg(grant.id)}`, { scope }));
  };

  const setAll = (all: boolean) => {
    if (!grant) return;
    const scope = all ? scopes.map((s) => s.value) : [];
    return run({ granted: true, scope }, () => api.patch<ClientGrant>(`/client-grants/${seg(grant.id)}`, { scope }));
  };

  const isGranted = pending ? pending.granted : !!grant;
  const granted = new Set(pending ? pending.scope : (grant?.scope ?? []));
  return (
    <div className={`grant ${isGranted ? 'is-granted' : ''}`} aria-busy={busy || undefined}>
      <div className="grant-head">
        <input type="checkbox" id={`${id}-grant`} className="checkbox" checked={isGranted} onChange={toggleGrant} disabled={busy || readOnly} />
        <div className="grant-head-text">
          <label htmlFor={`${id}-grant`} className="grant-label">
            Authorize {subject}
          </label>
          {detail && <div className="grant-detail">{detail}</div>}
        </div>
        {isGranted && <span className="grant-count">{plural(granted.size, 'scope', 'scopes')}</span>}
      </div>
      {grant && isGranted && (
        <div className="grant-scopes">
          {scopes.length === 0 ? (
            <p className="muted">This API defines no scopes: tokens for it carry none.</p>
          ) : (
            <>
              {!readOnly && scopes.length > 1 && (
                <div className="grant-bulk">
                  <button type="button" className="link-button" onClick={() => setAll(true)} disabled={busy} aria-label={`Select all scopes for ${subject}`}>
                    Select all
                  </button>
                  <button type="button" className="link-button" onClick={() => setAll(false)} disabled={busy} aria-label={`Clear all scopes for ${subject}`}>
                    None
                  </button>
                </div>
              )}
              <fieldset className="scope-grid">
                <legend className="visually-hidden">Scopes granted to {subject}</legend>
                {scopes.map((s) => {
                  const sid = `${id}-scope-${s.value}`;
                  return (
                    <div key={s.value} className="scope-option">
                      <input
                        type="checkbox"
                        id={sid}
                        className="checkbox"
                        checked={granted.has(s.value)}
                        onChange={() => toggleScope(s.value)}
                        disabled={busy || readOnly}
                        aria-describedby={s.description && s.description !== s.value ? `${sid}-d` : undefined}
                      />
                      <span className="scope-text">
                        <label htmlFor={sid} className="mono scope-value">
                          {s.value}
                        </label>
                        {s.description && s.description !== s.value && (
                          <span id={`${sid}-d`} className="scope-desc">
                            {s.description}
                          </span>
                        )}
                      </span>
                    </div>
                  );
                })}
              </fieldset>
            </>
          )}
        </div>
      )}
      <ErrorSlot message={error} className="error-slot-tight" />
    </div>
  );
}
