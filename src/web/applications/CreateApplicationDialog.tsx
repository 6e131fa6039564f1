import { useEffect, useId, useState, type FormEvent } from 'react';
import { toApiError, type AppType, type Client, type ResourceServer } from '../api.ts';
import { useTenant } from '../context.ts';
import { Dialog, DialogActions } from '../components/Dialog.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { ErrorSlot, Field } from '../components/Field.tsx';
import { APP_TYPE_LABELS } from '../format.ts';
import { navigate, paths } from '../router.ts';

const TYPES: { id: AppType; hint: string }[] = [
  { id: 'regular_web', hint: 'Server-rendered web apps with a backend.' },
  { id: 'non_interactive', hint: 'Backends, daemons and CLIs calling your APIs.' },
  { id: 'spa', hint: 'JavaScript apps running in the browser.' },
  { id: 'native', hint: 'Mobile and desktop apps.' },
];

/**
 * Creates an application and, for Machine to Machine, optionally authorizes it for one API
 * with all of its scopes in the same step, which is what almost every backend needs next.
 */
export function CreateApplicationDialog({ onClose, initialType = 'regular_web' }: { onClose: () => void; initialType?: AppType }) {
  const { api, tenant } = useTenant();
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>(initialType);
  const [apis, setApis] = useState<ResourceServer[] | null>(null);
  const [apisError, setApisError] = useState<string | null>(null);
  const [audience, setAudience] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ name?: string; top?: string }>({});
  const legendId = useId();

  useEffect(() => {
    if (type !== 'non_interactive' || apis) return;
    let live = true;
    api.listAll<ResourceServer>('/resource-servers').then(
      (list) => live && setApis(list.filter((r) => !r.is_system)),
      (err: unknown) => live && setApisError(toApiError(err).message),
    );
    return () => {
      live = false;
    };
  }, [type, apis, api]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ name: 'Enter a name for the application.' });
      return;
    }
    setBusy(true);
    setErrors({});
    let created: Client;
    try {
      created = await api.post<Client>('/clients', { name: name.trim(), app_type: type });
    } catch (err) {
      const e = toApiError(err);
      setErrors(e.field === 'name' ? { name: e.message } : { top: e.message });
      setBusy(false);
      return;
    }
    const tab = type === 'regular_web' || type === 'non_interactive' ? 'credentials' : 'settings';
    const target = paths.application(tenant.name, created.client_id, tab);
    const chosen = type === 'non_interactive' ? apis?.find((a) => a.identifier === audience) : undefined;
    let notice = `Created “${created.name}”.`;
    if (chosen) {
      try {
        await api.post('/client-grants', { client_id: created.client_id, audience: chosen.identifier, scope: chosen.scopes.map((s) => s.value) });
        notice = `Created “${created.name}” and authorized it for ${chosen.name}.`;
      } catch (err) {
        // The application exists either way; say what is missing rather than fail the whole step.
        notice = `Created “${created.name}”, but authorizing it for ${chosen.name} failed: ${toApiError(err).message} Try again on the APIs tab.`;
      }
    }
    onClose();
    navigate(target, { notice });
  };

  return (
    <Dialog title="Create Application" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={errors.top} />
        <Field label="Name" error={errors.name} hint="You can change it later.">
          {(p) => <input {...p} className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={128} autoComplete="off" />}
        </Field>
        <fieldset className="fieldset">
          <legend className="field-label">Application type</legend>
          <div className="choice-grid">
            {TYPES.map((t) => (
              // The label holds only the type's name, so the radio's accessible name is exactly it;
              // the whole card is still a click target.
              <div key={t.id} className={`choice-card ${type === t.id ? 'is-selected' : ''}`} onClick={() => setType(t.id)}>
                <input
                  type="radio"
                  id={`${legendId}-${t.id}-radio`}
                  name="app_type"
                  value={t.id}
                  checked={type === t.id}
                  onChange={() => setType(t.id)}
                  aria-describedby={`${legendId}-${t.id}`}
                />
                <span className="choice-text">
                  <label className="choice-title" htmlFor={`${legendId}-${t.id}-radio`}>
                    {APP_TYPE_LABELS[t.id]}
                  </label>
                  <span className="choice-hint" id={`${legendId}-${t.id}`}>
                    {t.hint}
                  </span>
                </span>
              </div>
            ))}
          </div>
        </fieldset>
        {type === 'non_interactive' && (
          <Field
            label="Authorize for API"
            hint={apis && apis.length === 0 ? 'No APIs yet: create one on the APIs page, then authorize this application there.' : 'Grants every scope of the API. You can narrow them later.'}
            error={apisError}
          >
            {(p) => (
              <select {...p} className="select" value={audience} onChange={(e) => setAudience(e.target.value)} disabled={!apis}>
                <option value="">None</option>
                {(apis ?? []).map((a) => (
                  // Just the name: it is what people (and selectOption({ label })) look for.
                  <option key={a.id} value={a.identifier} title={a.identifier}>
                    {a.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <ErrorSlot />
        <DialogActions onCancel={onClose} label="Create" busy={busy} />
      </form>
    </Dialog>
  );
}
