import { useEffect, useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type Client, type Credential, type SecretMethod } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorSlot } from '../components/Field.tsx';
import { isExpired } from './expiry.ts';
import { newestFirst } from './names.ts';
import { ClientSecretField } from './ClientSecretField.tsx';

type Method = SecretMethod | 'private_key_jwt';

const METHODS: { id: Method; label: string; hint: string }[] = [
  { id: 'none', label: 'None', hint: 'No client authentication: the request carries only the Client ID.' },
  { id: 'client_secret_post', label: 'Client Secret (Post)', hint: 'client_id and client_secret sent in the request body.' },
  { id: 'client_secret_basic', label: 'Client Secret (Basic)', hint: 'The client secret sent with HTTP Basic authentication.' },
  { id: 'private_key_jwt', label: 'Private Key JWT', hint: 'A short-lived JWT signed with a private key that never leaves your backend (RFC 7523).' },
];

export const NO_CREDENTIAL_MESSAGE = 'Add a credential below first: Private Key JWT needs at least one enabled credential.';

export const currentMethod = (c: Client): Method => (c.client_authentication_methods?.private_key_jwt ? 'private_key_jwt' : (c.token_endpoint_auth_method ?? 'none'));

/**
 * How the application proves who it is at the token endpoint. Switching to Private Key JWT
 * enables the newest usable credentials (the server allows two at once, for rotation), so
 * there is no state where the method is on and no key could verify.
 */
export function AuthMethodsSection({ client, credentials, onChanged }: { client: Client; credentials: Credential[] | undefined; onChanged: (c: Client) => void }) {
  const { api, tenant } = useTenant();
  const current = currentMethod(client);
  const [selected, setSelected] = useState<Method>(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const id = useId();

  useEffect(() => setSelected(current), [current]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setStatus('');
    if (selected === current) {
      setStatus(`${label(current)} is already the authentication method.`);
      return;
    }
    let body: unknown;
    if (selected === 'private_key_jwt') {
      if (!credentials) {
        setError('Credentials are still loading. Try again in a moment.');
        return;
      }
      const usable = credentials.filter((c) => !isExpired(c.expires_at)).sort(newestFirst).slice(0, 2);
      if (usable.length === 0) {
        setError(NO_CREDENTIAL_MESSAGE);
        return;
      }
      body = { client_authentication_methods: { private_key_jwt: { credentials: usable.map((c) => ({ id: c.id })) } } };
    } else if (current === 'private_key_jwt') {
      body = { client_authentication_methods: null, token_endpoint_auth_method: selected };
    } else {
      body = { token_endpoint_auth_method: selected };
    }
    setBusy(true);
    try {
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, body);
      onChanged(updated);
      setStatus(`Saved. ${label(currentMethod(updated))} is now the authentication method.`);
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
          Authentication Methods
        </h2>
        <p className="card-subtitle">How this application authenticates when it requests tokens.</p>
      </div>
      <form className="card-body" onSubmit={save} noValidate>
        <fieldset className="fieldset">
          <legend className="field-label">Authentication method</legend>
          <div className="method-list">
            {METHODS.map((m) => {
              const rid = `${id}-${m.id}`;
              const locked = m.id === 'private_key_jwt' && !tenant.private_key_jwt_allowed;
              return (
                <div key={m.id} className={`method ${selected === m.id ? 'is-selected' : ''} ${locked ? 'is-locked' : ''}`}>
                  <input
                    type="radio"
                    id={rid}
                    name={`${id}-method`}
                    value={m.id}
                    checked={selected === m.id}
                    onChange={() => {
                      setSelected(m.id);
                      setError(null);
                      setStatus('');
                    }}
                    disabled={locked || busy}
                    aria-describedby={`${rid}-hint`}
                  />
                  <div className="method-text">
                    <label htmlFor={rid} className="method-label">
                      {m.label}
                    </label>
                    {current === m.id && <span className="badge badge-success method-active">Active</span>}
                    <p id={`${rid}-hint`} className="method-hint">
                      {locked ? 'Requires the Enterprise plan.' : m.hint}
                    </p>
                  </div>
                </div>
              );
            })}
          </div>
        </fieldset>
        <ErrorSlot message={error} />
        <div className="form-actions">
          <span className="form-status" role="status">
            {status}
          </span>
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            Save
          </button>
        </div>
        <ClientSecretField client={client} method={current} />
      </form>
    </section>
  );
}

const label = (m: Method) => METHODS.find((x) => x.id === m)?.label ?? m;
