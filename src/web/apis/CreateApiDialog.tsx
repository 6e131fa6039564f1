import { useState, type FormEvent } from 'react';
import { toApiError, type ResourceServer } from '../api.ts';
import { useTenant } from '../context.ts';
import { Dialog, DialogActions } from '../components/Dialog.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';
import { navigate, paths } from '../router.ts';

/** "read:orders write:orders" or "read:orders, write:orders" → unique scope values, in order. */
export const parseScopes = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

export function CreateApiDialog({ onClose }: { onClose: () => void }) {
  const { api, tenant } = useTenant();
  const [name, setName] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [scopes, setScopes] = useState('');
  const [errors, setErrors] = useState<{ name?: string; identifier?: string; scopes?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const next: typeof errors = {};
    if (!name.trim()) next.name = 'Enter a name for the API.';
    if (!identifier.trim()) next.identifier = 'Enter an identifier: the audience your API expects in its tokens.';
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const created = await api.post<ResourceServer>('/resource-servers', {
        name: name.trim(),
        identifier: identifier.trim(),
        scopes: parseScopes(scopes).map((value) => ({ value })),
      });
      onClose();
      navigate(paths.api(tenant.name, created.id), { notice: `Created “${created.name}”.` });
    } catch (err) {
      const apiErr = toApiError(err);
      const field = apiErr.field === 'name' || apiErr.field === 'identifier' || apiErr.field === 'scopes' ? apiErr.field : null;
      // A duplicate identifier comes back as a conflict without a field; it is still about the identifier.
      const slot = field ?? (apiErr.errorCode === 'resource_server_exists' ? 'identifier' : 'top');
      setErrors({ [slot]: apiErr.message });
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create API" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={errors.top} />
        <Field label="Name" error={errors.name} hint="A friendly name, e.g. Orders API.">
          {(p) => <input {...p} className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label="Identifier" error={errors.identifier} hint="A URI such as https://orders.example.com/. It becomes the token audience and cannot be changed later.">
          {(p) => <input {...p} className="input mono" value={identifier} maxLength={600} onChange={(e) => setIdentifier(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Scopes" error={errors.scopes} hint="Optional. Separate scope values with spaces or commas, e.g. read:orders write:orders.">
          {(p) => <textarea {...p} className="textarea textarea-short mono" rows={2} value={scopes} onChange={(e) => setScopes(e.target.value)} spellCheck={false} />}
        </Field>
        <DialogActions onCancel={onClose} label="Create" busy={busy} />
      </form>
    </Dialog>
  );
}
