import { useEffect, useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type Client, type Credential, type SecretMethod } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorSlot } from '../components/Field.tsx';
import { isExpired } from './expiry.ts';
import { ClientSecretField } from './ClientSecretField.tsx';
import { SwitchMethodDialog } from './SwitchMethodDialog.tsx';

export type Method = SecretMethod | 'private_key_jwt';

const METHODS: { id: Method; label: string; hint: string }[] = [
  { id: 'none', label: 'None', hint: 'No client authentication: the request carries only the Client ID.' },
  { id: 'client_secret_post', label: 'Client Secret (Post)', hint: 'client_id and client_secret sent in the request body.' },
  { id: 'client_secret_basic', label: 'Client Secret (Basic)', hint: 'The client secret sent with HTTP Basic authentication.' },
  { id: 'private_key_jwt', label: 'Private Key JWT', hint: 'A short-lived JWT signed with a private key that never leaves your backend (RFC 7523).' },
];

export const M2M_NOT_PUBLIC = 'Not for Machine to Machine applications: they get tokens with the client credentials grant, which needs the application to authenticate.';

export const NO_CREDENTIAL_MESSAGE = 'Add a credential below first: Private Key JWT needs at least one enabled credential.';

export const currentMethod = (c: Client): Method => (c.client_authentication_methods?.private_key_jwt ? 'private_key_jwt' : (c.token_endpoint_auth_method ?? 'none'));

/**
 * How the application proves who it is at the token endpoint. Changing it cuts off whatever
 * still authenticates the old way, so Save only asks: a confirmation names what stops working,
 * and for Private Key JWT the user picks which credentials to enable (at most two). A Machine
 * to Machine application cannot be public (the client credentials grant needs a confidential
 * client), so None is not offered to it.
 */
export function AuthMethodsSection({ client, credentials, onChanged }: { client: Client; credentials: Credential[] | undefined; onChanged: (c: Client) => void }) {
  const { api, tenant } = useTenant();
  const current = currentMethod(client);
  const [selected, setSelected] = useState<Method>(current);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const id = useId();

  useEffect(() => setSelected(current), [current]);

  const save = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStatus('');
    if (selected === current) {
      setStatus(`${label(current)} is already the authentication method.`);
      return;
    }
    if (selected === 'private_key_jwt') {
      if (!credentials) {
        setError('Credentials are still loading. Try again in a moment.');
        return;
      }
      if (!credentials.some((c) => !isExpired(c.expires_at))) {
        setError(NO_CREDENTIAL_MESSAGE);
        return;
      }
    }
    setConfirming(true);
  };

  const apply = async (enableIds: string[]) => {
    let body: unknown;
    if (selected === 'private_key_jwt') body = { client_authentication_methods: { private_key_jwt: { credentials: enableIds.map((x) => ({ id: x })) } } };
    else if (current === 'private_key_jwt') body = { client_authentication_methods: null, token_endpoint_auth_method: selected };
    else body = { token_endpoint_auth_method: selected };
    const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, body);
    setConfirming(false);
    onChanged(updated);
    setStatus(`Saved. ${label(currentMethod(updated))} is now the authentication method.`);
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
              const locked = (m.id === 'private_key_jwt' && !tenant.private_key_jwt_allowed) || (m.id === 'none' && client.app_type === 'non_interactive');
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
                    disabled={locked}
                    aria-describedby={`${rid}-hint`}
                  />
                  <div className="method-text">
                    <label htmlFor={rid} className="method-label">
                      {m.label}
                    </label>
                    {current === m.id && <span className="badge badge-success method-active">Active</span>}
                    <p id={`${rid}-hint`} className="method-hint">
                      {locked ? (m.id === 'none' ? M2M_NOT_PUBLIC : 'Requires the Enterprise plan.') : m.hint}
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
          <button type="submit" className="button button-primary">
            Save
          </button>
        </div>
        <ClientSecretField client={client} method={current} />
      </form>
      {confirming && (
        <SwitchMethodDialog
          appName={client.name}
          from={current}
          to={selected}
          toLabel={label(selected)}
          credentials={credentials ?? []}
          onConfirm={apply}
          onClose={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

const label = (m: Method) => METHODS.find((x) => x.id === m)?.label ?? m;
