import { useEffect, useState } from 'react';
import { seg, toApiError, type Client, type Credential } from '../api.ts';
import { useTenant } from '../context.ts';
import { Badge } from '../components/Badge.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorSlot } from '../components/Field.tsx';
import { credentialTypeLabel, formatDate, formatDateTime } from '../format.ts';
import { expiryBadge } from './expiry.ts';
import { credentialName } from './names.ts';
import { ExpiryEditor } from './ExpiryEditor.tsx';

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
 * One credential and its actions. The server has the last word on every rule (two enabled at
 * most, never zero, an enabled credential cannot be deleted); its reason appears in the row.
 */
export function CredentialRow({ client, credential: c, enabled, enabledIds, pkjwtActive, onClientChanged, onChanged, onDeleted }: Props) {
  const { api } = useTenant();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = credentialName(c);
  // A refusal shown here is about the state it was refused in; once the enabled set changes it is stale.
  const enabledKey = enabledIds.join(',');
  useEffect(() => setError(null), [enabledKey]);
  const badge = expiryBadge(c.expires_at);

  const setEnabled = async (on: boolean) => {
    const ids = on ? [...(pkjwtActive ? enabledIds : []), c.id] : enabledIds.filter((x) => x !== c.id);
    setBusy(true);
    setError(null);
    try {
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, {
        client_authentication_methods: { private_key_jwt: { credentials: ids.map((id) => ({ id })) } },
      });
      onClientChanged(updated);
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(false);
    }
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
          <button type="button" className="button button-secondary button-small" aria-label={`${enabled ? 'Disable' : 'Enable'} ${name}`} onClick={() => setEnabled(!enabled)} disabled={busy}>
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
          <button type="button" className="button button-danger-quiet button-small" aria-label={`Delete ${name}`} onClick={() => setConfirming(true)} disabled={busy}>
            Delete
          </button>
        </div>
      </div>
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
          <dd title={formatDateTime(c.created_at)}>{formatDate(c.created_at)}</dd>
        </div>
        <div className="cred-fact">
          <dt>Expires</dt>
          <dd title={c.expires_at ? formatDateTime(c.expires_at) : undefined}>{c.expires_at ? formatDate(c.expires_at) : 'Never'}</dd>
        </div>
        <div className="cred-fact">
          <dt>Last used</dt>
          <dd title={c.last_used_at ? formatDateTime(c.last_used_at) : undefined}>{c.last_used_at ? formatDate(c.last_used_at) : 'Never'}</dd>
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
      {confirming && (
        <ConfirmDialog
          title="Delete credential?"
          confirmLabel="Delete"
          onClose={() => setConfirming(false)}
          onError={setError}
          onConfirm={async () => {
            await api.delete(`/clients/${seg(client.client_id)}/credentials/${seg(c.id)}`);
            setConfirming(false);
            onDeleted();
          }}
        >
          <p>
            <strong className="break">{name}</strong> will be removed. Assertions signed with its private key will be refused at once, on every Signet node.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
