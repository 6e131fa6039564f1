import { useId, useState } from 'react';
import type { Client, Credential } from '../api.ts';
import type { Loaded } from '../useLoad.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { SkeletonBlock } from '../components/Skeleton.tsx';
import { enabledIdsOf, newestFirst } from './names.ts';
import { CredentialRow } from './CredentialRow.tsx';
import { AddCredentialForm } from './AddCredentialForm.tsx';
import { MAX_CREDENTIALS_PER_CLIENT, MAX_ENABLED_CREDENTIALS, whyNotAdd } from './rules.ts';

interface Props {
  client: Client;
  credentials: Loaded<Credential[]>;
  onClientChanged: (c: Client) => void;
}

/** The application's public keys and certificates, with what each is doing right now. */
export function AvailableCredentials({ client, credentials, onClientChanged }: Props) {
  const [adding, setAdding] = useState(false);
  const id = useId();
  const enabledIds = enabledIdsOf(client);
  const pkjwtActive = !!client.client_authentication_methods?.private_key_jwt;
  const list = [...(credentials.data ?? [])].sort(newestFirst);
  const addBlocked = credentials.data ? whyNotAdd(list.length) : null;

  const replace = (c: Credential) => credentials.setData((prev) => prev?.map((x) => (x.id === c.id ? c : x)));
  const remove = (credId: string) => credentials.setData((prev) => prev?.filter((x) => x.id !== credId));

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="card-header card-header-row">
        <div>
          <h2 id={`${id}-h`} className="card-title">
            Available Credentials
          </h2>
          <p className="card-subtitle">
            Public keys and certificates whose private keys may sign this application’s assertions. Up to {MAX_CREDENTIALS_PER_CLIENT} per application;{' '}
            {MAX_ENABLED_CREDENTIALS} can be enabled at once, so keys rotate with overlap.
          </p>
        </div>
        <button
          type="button"
          className="button button-primary"
          aria-expanded={adding}
          aria-controls={`${id}-add`}
          aria-describedby={addBlocked ? `${id}-full` : undefined}
          disabled={!!addBlocked}
          onClick={() => setAdding((a) => !a)}
        >
          Add New Credential
        </button>
      </div>
      <div className="card-body">
        {addBlocked && (
          <p id={`${id}-full`} className="callout">
            {addBlocked}
          </p>
        )}
        <div id={`${id}-add`}>
          {adding && !addBlocked && (
            <AddCredentialForm
              clientId={client.client_id}
              onCancel={() => setAdding(false)}
              onAdded={(c) => {
                credentials.setData((prev) => [c, ...(prev ?? []).filter((x) => x.id !== c.id)]);
                setAdding(false);
              }}
            />
          )}
        </div>
        <ErrorBanner message={credentials.error?.message} onRetry={credentials.reload} />
        {pkjwtActive && enabledIds.length === 0 && credentials.data && (
          <p className="callout callout-warning">
            Private Key JWT is active but no credential is enabled, so this application cannot get tokens. Enable a credential, or switch to another
            authentication method above.
          </p>
        )}
        {!pkjwtActive && list.length > 0 && (
          <p className="callout">Private Key JWT is not active for this application. Enabling a credential switches the application to Private Key JWT with that credential.</p>
        )}
        {!credentials.data && !credentials.error && <SkeletonBlock lines={2} label="Loading credentials…" />}
        {credentials.data && list.length === 0 && (
          <div className="empty">
            <p className="empty-title">No credentials yet.</p>
            <p className="empty-text">Add the public key or certificate of a key pair your backend holds.</p>
          </div>
        )}
        {list.length > 0 && (
          <ul className="cred-list" role="list">
            {list.map((c) => (
              <CredentialRow
                key={c.id}
                client={client}
                credential={c}
                enabled={enabledIds.includes(c.id)}
                enabledIds={enabledIds}
                pkjwtActive={pkjwtActive}
                onClientChanged={onClientChanged}
                onChanged={replace}
                onDeleted={() => remove(c.id)}
              />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
