import { useEffect, useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type Client } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';
import { formatUrlList, MAX_URL_TEXT_LENGTH, parseUrlList, sameUrls, whyUrlListRefused } from './redirect-urls.ts';

type UrlField = 'callbacks' | 'allowed_logout_urls';
type Errors = Partial<Record<UrlField | 'top', string>>;

/**
 * Application URIs: where sign-in may return the browser with a code (`callbacks`) and where
 * logout may send it afterwards (`allowed_logout_urls`). Both are matched exactly by the server,
 * so each URL is checked here first, with the server's own refusal shown by its field.
 */
export function ApplicationUrisCard({ client, onSaved }: { client: Client; onSaved: (c: Client) => void }) {
  const { api } = useTenant();
  const id = useId();
  const [callbacks, setCallbacks] = useState(formatUrlList(client.callbacks));
  const [logoutUrls, setLogoutUrls] = useState(formatUrlList(client.allowed_logout_urls));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  // Another tab (or the server) may have changed the application; show what is stored.
  const storedCallbacks = client.callbacks ?? [];
  const storedLogout = client.allowed_logout_urls ?? [];
  useEffect(() => setCallbacks(formatUrlList(storedCallbacks)), [storedCallbacks.join('\n')]);
  useEffect(() => setLogoutUrls(formatUrlList(storedLogout)), [storedLogout.join('\n')]);

  const callbackList = parseUrlList(callbacks);
  const logoutList = parseUrlList(logoutUrls);
  const dirty = !sameUrls(callbackList, storedCallbacks) || !sameUrls(logoutList, storedLogout);

  const edit = (field: UrlField, set: (v: string) => void) => (value: string) => {
    set(value);
    setSaved(false);
    setErrors((e) => ({ ...e, [field]: undefined, top: undefined }));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found: Errors = {};
    const badCallback = whyUrlListRefused(callbackList);
    const badLogout = whyUrlListRefused(logoutList);
    if (badCallback) found.callbacks = badCallback;
    if (badLogout) found.allowed_logout_urls = badLogout;
    setErrors(found);
    setSaved(false);
    if (badCallback || badLogout) return;
    setBusy(true);
    try {
      const updated = await api.patch<Client>(`/clients/${seg(client.client_id)}`, { callbacks: callbackList, allowed_logout_urls: logoutList });
      onSaved(updated);
      // Shown as stored: one per line, whatever separators were typed.
      setCallbacks(formatUrlList(updated.callbacks));
      setLogoutUrls(formatUrlList(updated.allowed_logout_urls));
      setSaved(true);
    } catch (err) {
      const ae = toApiError(err);
      setErrors(ae.field === 'callbacks' || ae.field === 'allowed_logout_urls' ? { [ae.field]: ae.message } : { top: ae.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="card-header">
        <h2 id={`${id}-h`} className="card-title">
          Application URIs
        </h2>
        <p className="card-subtitle">Where Signet may send your users’ browsers. Each URL must match exactly: no wildcards, no fragments.</p>
      </div>
      <form className="card-body form" onSubmit={save} noValidate>
        <ErrorBanner message={errors.top} />
        <Field
          label="Allowed Callback URLs"
          error={errors.callbacks}
          hint="One URL per line, or separated by commas. After sign-in the browser returns to one of these with a code, e.g. https://app.example.com/callback. Use https; http only for localhost and 127.0.0.1."
        >
          {(p) => (
            <textarea
              {...p}
              className="textarea textarea-short mono"
              value={callbacks}
              rows={3}
              maxLength={MAX_URL_TEXT_LENGTH}
              spellCheck={false}
              onChange={(e) => edit('callbacks', setCallbacks)(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Allowed Logout URLs"
          error={errors.allowed_logout_urls}
          hint="One URL per line, or separated by commas. After logout the browser may be sent to one of these (returnTo or post_logout_redirect_uri), e.g. https://app.example.com."
        >
          {(p) => (
            <textarea
              {...p}
              className="textarea textarea-short mono"
              value={logoutUrls}
              rows={3}
              maxLength={MAX_URL_TEXT_LENGTH}
              spellCheck={false}
              onChange={(e) => edit('allowed_logout_urls', setLogoutUrls)(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <span className={`form-status ${dirty && !saved ? 'form-status-pending' : ''}`} role="status">
            {saved && !dirty ? 'Changes saved.' : dirty ? 'Unsaved changes.' : ''}
          </span>
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            Save Changes
          </button>
        </div>
      </form>
    </section>
  );
}
