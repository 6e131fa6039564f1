import { useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type ResourceServer, type Scope } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';

/** The permissions an API defines. Each change sends the whole list, as the Management API expects. */
export function ScopesSection({ resourceServer: r, onChanged }: { resourceServer: ResourceServer; onChanged: (rs: ResourceServer) => void }) {
  const { api } = useTenant();
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<{ value?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);
  const id = useId();

  const save = async (scopes: Scope[]) => {
    setBusy(true);
    setErrors({});
    try {
      onChanged(await api.patch<ResourceServer>(`/resource-servers/${seg(r.id)}`, { scopes }));
      return true;
    } catch (err) {
      const e = toApiError(err);
      setErrors(e.field === 'scopes' ? { value: e.message } : { top: e.message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const v = value.trim();
    if (!v) return setErrors({ value: 'Enter a scope value, e.g. read:orders.' });
    if (/\s/.test(v)) return setErrors({ value: 'A scope value cannot contain spaces.' });
    if (r.scopes.some((s) => s.value === v)) return setErrors({ value: `${v} is already a scope of this API.` });
    if (await save([...r.scopes, { value: v, description: description.trim() }])) {
      setValue('');
      setDescription('');
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="card-header">
        <h2 id={`${id}-h`} className="card-title">
          Scopes
        </h2>
        <p className="card-subtitle">Permissions applications can be granted for this API.</p>
      </div>
      <div className="card-body">
        <ErrorBanner message={errors.top} />
        {!r.is_system && (
          <form className="scope-add" onSubmit={add} noValidate>
            <Field label="New scope" error={errors.value} className="scope-add-value">
              {(p) => <input {...p} className="input mono" value={value} onChange={(e) => setValue(e.target.value)} placeholder="read:orders" autoComplete="off" spellCheck={false} />}
            </Field>
            <Field label="Scope description" className="scope-add-desc">
              {(p) => <input {...p} className="input" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Read orders" autoComplete="off" />}
            </Field>
            <button type="submit" className="button button-primary scope-add-button" disabled={busy}>
              Add scope
            </button>
          </form>
        )}
        {r.scopes.length === 0 ? (
          <p className="empty-inline">No scopes yet.</p>
        ) : (
          <ul className="scope-list" role="list">
            {r.scopes.map((s) => (
              <li key={s.value} className="scope-item">
                <code className="mono scope-value">{s.value}</code>
                <span className="scope-desc">{s.description && s.description !== s.value ? s.description : ''}</span>
                {!r.is_system && (
                  <button
                    type="button"
                    className="button button-danger-quiet button-small"
                    aria-label={`Remove ${s.value}`}
                    disabled={busy}
                    onClick={() => void save(r.scopes.filter((x) => x.value !== s.value))}
                  >
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
