import { useEffect, useState, type FormEvent } from 'react';
import { DangerZone } from '../components/DangerZone.tsx';
import { seg, toApiError, type Client } from '../api.ts';
import { useTenant } from '../context.ts';
import { appTypeLabel } from '../format.ts';
import { navigate, paths } from '../router.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ApplicationUrisCard } from './ApplicationUrisCard.tsx';
import { GrantTypesCard } from './GrantTypesCard.tsx';

export function SettingsTab({ client, onSaved }: { client: Client; onSaved: (c: Client) => void }) {
  const { api, tenant } = useTenant();
  const [name, setName] = useState(client.name);
  const [description, setDescription] = useState(client.description ?? '');
  const [errors, setErrors] = useState<{ name?: string; description?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);

  // Another tab (or the server) may have changed the application; show what is stored.
  useEffect(() => {
    setName(client.name);
    setDescription(client.description ?? '');
  }, [client.name, client.description]);

  const dirty = name !== client.name || description !== (client.description ?? '');

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ name: 'The name cannot be empty.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setSaved(false);
    try {
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, { name: name.trim(), description });
      onSaved(updated);
      setSaved(true);
    } catch (err) {
      const e = toApiError(err);
      setErrors(e.field === 'name' ? { name: e.message } : e.field === 'description' ? { description: e.message } : { top: e.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack-lg">
      <section className="card" aria-labelledby="basic-info">
        <div className="card-header">
          <h2 id="basic-info" className="card-title">
            Basic Information
          </h2>
        </div>
        <form className="card-body form" onSubmit={save} noValidate>
          <ErrorBanner message={errors.top} />
          <Field label="Name" error={errors.name}>
            {(p) => (
              <input {...p} className="input" value={name} maxLength={128} onChange={(e) => (setName(e.target.value), setSaved(false))} autoComplete="off" />
            )}
          </Field>
          <Field label="Description" error={errors.description} hint={`${description.length}/140 characters. A note for your team; never shown to users.`}>
            {(p) => (
              <textarea
                {...p}
                className="textarea textarea-short"
                value={description}
                maxLength={140}
                rows={2}
                onChange={(e) => (setDescription(e.target.value), setSaved(false))}
              />
            )}
          </Field>
          <dl className="facts">
            <div>
              <dt>Application type</dt>
              <dd>{appTypeLabel(client.app_type)}</dd>
            </div>
            <div>
              <dt>Domain</dt>
              <dd>
                <code className="mono">{tenant.domain}</code>
              </dd>
            </div>
          </dl>
          <div className="form-actions">
            <span className="form-status" role="status">
              {saved && !dirty ? 'Changes saved.' : ''}
            </span>
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
              Save Changes
            </button>
          </div>
        </form>
      </section>

      {/* Machine to Machine applications sign nobody in, so they have no URLs to send a browser to. */}
      {client.app_type !== 'non_interactive' && <ApplicationUrisCard client={client} onSaved={onSaved} />}
      <GrantTypesCard client={client} onSaved={onSaved} />

      <DangerZone
        title="Delete this application"
        consequence="All its credentials and API authorizations go with it. Tokens it already holds stay valid until they expire."
        action="Delete Application"
        onAction={() => setDeleting(true)}
      />

      {deleting && (
        <ConfirmDialog
          title="Delete application?"
          confirmLabel="Delete"
          typeToConfirm={{ label: 'Type the application name to confirm', value: client.name }}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.delete(`/clients/${seg(client.client_id)}`);
            setDeleting(false);
            navigate(paths.applications(tenant.name), { notice: `Deleted “${client.name}”.` });
          }}
        >
          <p>
            This permanently deletes <strong className="break">{client.name}</strong>. Applications using its Client ID will no longer get tokens.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
