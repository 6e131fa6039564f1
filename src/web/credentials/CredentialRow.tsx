import { useEffect, useId, useState } from 'react';
import { seg, toApiError, type Client, type Credential } from '../api.ts';
import { useTenant } from '../context.ts';
import { Badge } from '../components/Badge.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorSlot } from '../components/Field.tsx';
import { credentialTypeLabel, formatDateTime } from '../format.ts';
import { expiryBadge } from './expiry.ts';
import { credentialName, enabledIdsOf } from './names.ts';
import { ExpiryEditor } from './ExpiryEditor.tsx';
import { whyNotDelete, whyNotEnable } from './rules.ts';
import { leavingMethodConsequence } from './consequences.ts';

interface Props {
  client: Client;
  credential: Credential;
  enabled: boolean;
  enabledIds: string[];
  pkjwtActive: boolean;
  onClientChanged: (c: Client) => void;
  onChanged: (c: Credential) => void;
  onDeleted: () => void;
}

/**
 * One credential and its actions. What the server would refuse (a third enabled credential,
 * deleting an enabled one, enabling an expired one) is not offered: the button is disabled and
 * the row says why. What would cut the application off is asked first, naming the consequence:
 * disabling the last enabled credential, or enabling one while a client secret (or nothing) is
 * the authentication method, which switches the application to Private Key JWT.
 */
export function CredentialRow({ client, credential: c, enabled, enabledIds, pkjwtActive, onClientChanged, onChanged, onDeleted }: Props) {
  const { api } = useTenant();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState<'delete' | 'disable-last' | 'switch' | null>(null);
  const name = credentialName(c);
  const noteId = useId();
  // A refusal shown here is about the state it was refused in; once the enabled set changes it is stale.
  const enabledKey = enabledIds.join(',');
  useEffect(() => setError(null), [enabledKey]);
  const badge = expiryBadge(c.expires_at);
  const enableBlocked = enabled ? null : whyNotEnable(c, enabledIds, pkjwtActive);
  const deleteBlocked = whyNotDelete(enabled);
  const note = enableBlocked ?? deleteBlocked;

  const setEnabled = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      // From the live set, not this page's copy: another admin may have enabled or disabled one
      // since, and sending the stale list would silently undo their change.
      const live = await api.get<Client>(`/clients/${seg(client.client_id)}`);
      const liveIds = enabledIdsOf(live);
      const ids = on ? [...liveIds.filter((x) => x !== c.id), c.id] : liveIds.filter((x) => x !== c.id);
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, {
        client_authentication_methods: { private_key_jwt: { credentials: ids.map((id) => ({ id })) } },
      });
      onClientChanged(updated);
    } finally {
      setBusy(false);
    }
  };
  const act = (run: () => Promise<void>) => {
    setError(null);
    run().catch((err) => setError(toApiError(err).message));
  };
  const toggle = () => {
    setError(null);
    if (enabled && pkjwtActive && enabledIds.length === 1) setConfirming('disable-last');
    else if (!enabled && !pkjwtActive) setConfirming('switch');
    else act(() => setEnabled(!enabled));
  };

  return (
    <li className={`cred ${enabled ? 'is-enabled' : ''}`}>
      <div className="cred-head">
        <div className="cred-title">
          <h3 className="cred-name">{name}</h3>
          <div className="cred-badges">
            {enabled && <Badge tone="success">Enabled</Badge>}
            {badge && <Badge tone={badge.tone}>{badge.text}</Badge>}
          </div>
        </div>
        <div className="cred-actions">
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={`${enabled ? 'Disable' : 'Enable'} ${name}`}
            aria-describedby={enableBlocked ? noteId : undefined}
            onClick={toggle}
            disabled={busy || !!enableBlocked}
          >
            {enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={`Edit expiry of ${name}`}
            aria-expanded={editing}
            onClick={() => {
              setEditing((e) => !e);
              setError(null);
            }}
            disabled={busy}
          >
            Edit expiry
          </button>
          <button
            type="button"
            className="button button-danger-quiet button-small"
            aria-label={`Delete ${name}`}
            aria-describedby={deleteBlocked ? noteId : undefined}
            onClick={() => {
              setError(null);
              setConfirming('delete');
            }}
            disabled={busy || !!deleteBlocked}
          >
            Delete
          </button>
        </div>
      </div>
      {note && (
        <p id={noteId} className="cred-note">
          {note}
        </p>
      )}
      <dl className="cred-facts">
        <div className="cred-fact cred-fact-kid">
          <dt>Key ID</dt>
          <dd>
            <code className="mono truncate" title={c.kid}>
              {c.kid}
            </code>
          </dd>
        </div>
        <div className="cred-fact">
          <dt>Algorithm</dt>
          <dd>{c.alg}</dd>
        </div>
        <div className="cred-fact">
          <dt>Type</dt>
          <dd title={c.subject_dn}>{credentialTypeLabel(c.credential_type)}</dd>
        </div>
        <div className="cred-fact">
          <dt>Created</dt>
          <dd>{formatDateTime(c.created_at)}</dd>
        </div>
        <div className="cred-fact">
          <dt>Expires</dt>
          <dd>{c.expires_at ? formatDateTime(c.expires_at) : 'Never'}</dd>
        </div>
        <div className="cred-fact">
          <dt>Last used</dt>
          <dd>{c.last_used_at ? formatDateTime(c.last_used_at) : 'Never'}</dd>
        </div>
      </dl>
      {editing && (
        <ExpiryEditor
          clientId={client.client_id}
          credential={c}
          onSaved={(updated) => {
            onChanged(updated);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      <ErrorSlot message={error} className="error-slot-tight" />
      {confirming === 'delete' && (
        <ConfirmDialog
          title="Delete credential?"
          confirmLabel="Delete"
          onClose={() => setConfirming(null)}
          onError={setError}
          onConfirm={async () => {
            await api.delete(`/clients/${seg(client.client_id)}/credentials/${seg(c.id)}`);
            setConfirming(null);
            onDeleted();
          }}
        >
          <p>
            <strong className="break">{name}</strong> will be removed. Assertions signed with its private key will be refused at once, on every Signet node.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'disable-last' && (
        <ConfirmDialog
          title="Disable the last enabled credential?"
          confirmLabel="Disable and stop tokens"
          onClose={() => setConfirming(null)}
          onError={setError}
          onConfirm={async () => {
            await setEnabled(false);
            setConfirming(null);
          }}
        >
          <p>
            <strong className="break">{name}</strong> is the only enabled credential. Private Key JWT stays the authentication method, so{' '}
            <strong className="break">{client.name}</strong> cannot get tokens until you enable another credential or switch to another authentication method.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'switch' && (
        <ConfirmDialog
          title="Switch to Private Key JWT?"
          confirmLabel="Enable and switch"
          onClose={() => setConfirming(null)}
          onError={setError}
          onConfirm={async () => {
            await setEnabled(true);
            setConfirming(null);
          }}
        >
          <p>
            Enabling <strong className="break">{name}</strong> makes Private Key JWT the authentication method of <strong className="break">{client.name}</strong>.{' '}
            {leavingMethodConsequence(client.token_endpoint_auth_method)}
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
