import { useEffect, useId, useState, type FormEvent } from 'react';
import { toApiError, type AudiencePolicy, type TenantSettings } from '../api.ts';
import { useTenant } from '../context.ts';
import { useLoad } from '../useLoad.ts';
import { planLabel } from '../format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { ErrorSlot, Field } from '../components/Field.tsx';
import { SkeletonBlock } from '../components/Skeleton.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { LegacyAudienceWarning } from '../settings/LegacyAudienceWarning.tsx';
import { loadLegacyAudienceClients, STRICT_REASON } from '../settings/legacyAudience.ts';

type NumberField = 'max_assertion_lifetime' | 'clock_skew' | 'log_retention_days';
type Draft = { audience_policy: AudiencePolicy } & Record<NumberField, string>;

const draftOf = (s: TenantSettings): Draft => ({
  audience_policy: s.audience_policy,
  max_assertion_lifetime: String(s.max_assertion_lifetime),
  clock_skew: String(s.clock_skew),
  log_retention_days: String(s.log_retention_days),
});

/**
 * The tenant's own settings (Management API /tenants/settings): how client assertions are
 * checked, above all the audience policy with its trade-off, and how long logs are kept.
 */
export function TenantSettingsPage() {
  const { api, tenant } = useTenant();
  const settings = useLoad(() => api.get<TenantSettings>('/tenants/settings'), [api]);
  const usage = useLoad(() => loadLegacyAudienceClients(api), [api]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof Draft | 'top', string>>>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmStrict, setConfirmStrict] = useState(false);
  const id = useId();

  useEffect(() => {
    if (settings.data) setDraft(draftOf(settings.data));
  }, [settings.data]);

  if (!settings.data || !draft) {
    return (
      <div className="page">
        <PageHeader title="Settings" />
        {settings.error ? <ErrorBanner message={settings.error.message} onRetry={settings.reload} /> : <SkeletonBlock lines={4} label="Loading the settings…" />}
      </div>
    );
  }
  const s = settings.data;

  const changes = (): Partial<TenantSettings> => {
    const out: Partial<TenantSettings> = {};
    if (draft.audience_policy !== s.audience_policy) out.audience_policy = draft.audience_policy;
    for (const k of ['max_assertion_lifetime', 'clock_skew', 'log_retention_days'] as const) {
      // Sent as typed when not a plain integer: the server names the field and says what it takes.
      const typed = draft[k].trim();
      if (typed !== String(s[k])) (out as Record<string, unknown>)[k] = /^\d{1,9}$/.test(typed) ? Number(typed) : typed;
    }
    return out;
  };

  const write = async () => {
    const body = changes();
    if (Object.keys(body).length === 0) {
      setStatus('Nothing to save.');
      return;
    }
    setBusy(true);
    setErrors({});
    setStatus('');
    try {
      const saved = await api.patch<TenantSettings>('/tenants/settings', body);
      settings.setData(() => saved);
      usage.reload();
      setStatus('Settings saved.');
    } catch (err) {
      const e = toApiError(err);
      const field = e.field && e.field in draft ? (e.field as keyof Draft) : 'top';
      setErrors({ [field]: e.message });
    } finally {
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    // Going back to strict while applications still need legacy refuses them: ask first, naming them.
    if (s.audience_policy === 'legacy' && draft.audience_policy === 'strict' && (usage.data?.clients.length ?? 0) > 0) setConfirmStrict(true);
    else void write();
  };

  const set = (k: keyof Draft, v: string) => {
    setDraft({ ...draft, [k]: v } as Draft);
    setStatus('');
    setErrors((prev) => ({ ...prev, [k]: undefined }));
  };

  const policies: { value: AudiencePolicy; label: string; hint: string }[] = [
    {
      value: 'strict',
      label: 'Strict (recommended)',
      hint: `An assertion’s audience (aud) must be this tenant’s issuer, ${s.issuer}, as the only value (RFC 7523bis). Auth0’s SDKs, jose, openid-client 6 and signet already send this.`,
    },
    {
      value: 'legacy',
      label: 'Legacy',
      hint: `Also accepts the token endpoint URL, ${s.issuer}oauth/token, or a list of audiences holding it or the issuer, as older libraries send (authlib by default, openid-client up to 5.7.0, express-openid-connect 2). Each token issued this way is logged with legacy_audience.`,
    },
  ];

  return (
    <div className="page">
      <PageHeader title="Settings" description={`How the ${tenant.name} tenant checks client assertions and how long it keeps logs.`} />
      <LegacyAudienceWarning tenant={tenant.name} policy={s.audience_policy} usage={usage.data} />
      <form className="stack-lg" onSubmit={save} noValidate>
        <ErrorBanner message={errors.top} />
        <section className="card" aria-labelledby={`${id}-assertions`}>
          <div className="card-header">
            <h2 id={`${id}-assertions`} className="card-title">
              Client Assertions
            </h2>
            <p className="card-subtitle">What a Private Key JWT client assertion must look like to be accepted at the token endpoint.</p>
          </div>
          <div className="card-body form">
            <fieldset className="fieldset">
              <legend className="field-label">Audience policy</legend>
              <div className="method-list">
                {policies.map((p) => {
                  const rid = `${id}-${p.value}`;
                  return (
                    <div key={p.value} className={`method ${draft.audience_policy === p.value ? 'is-selected' : ''}`}>
                      <input
                        type="radio"
                        id={rid}
                        name={`${id}-policy`}
                        value={p.value}
                        checked={draft.audience_policy === p.value}
                        onChange={() => set('audience_policy', p.value)}
                        aria-describedby={`${rid}-hint`}
                      />
                      <div className="method-text">
                        <label htmlFor={rid} className="method-label">
                          {p.label}
                        </label>
                        {s.audience_policy === p.value && <span className="badge badge-success method-active">Active</span>}
                        <p id={`${rid}-hint`} className="method-hint">
                          {p.hint}
                        </p>
                      </div>
                    </div>
                  );
                })}
              </div>
            </fieldset>
            <ErrorSlot message={errors.audience_policy} />
            <div className="callout">
              <p>
                <strong>Why Strict is the default.</strong> {STRICT_REASON}
              </p>
              <p>Legacy keeps older clients working at that risk. Use it only while you update them; this page lists the applications that still need it.</p>
            </div>
            <div className="form-grid">
              <Field label="Maximum assertion lifetime (seconds)" hint="10 to 3600. The longest exp − iat accepted. authlib signs 1-hour assertions unless told otherwise." error={errors.max_assertion_lifetime}>
                {(p) => <input {...p} className="input input-short" inputMode="numeric" value={draft.max_assertion_lifetime} onChange={(e) => set('max_assertion_lifetime', e.target.value)} />}
              </Field>
              <Field label="Clock skew (seconds)" hint="0 to 120. How far a client’s clock may be off for exp, iat and nbf." error={errors.clock_skew}>
                {(p) => <input {...p} className="input input-short" inputMode="numeric" value={draft.clock_skew} onChange={(e) => set('clock_skew', e.target.value)} />}
              </Field>
            </div>
          </div>
        </section>

        <section className="card" aria-labelledby={`${id}-logs`}>
          <div className="card-header">
            <h2 id={`${id}-logs`} className="card-title">
              Logs
            </h2>
          </div>
          <div className="card-body form">
            <Field label="Log retention (days)" hint="1 to 365. Older log events are deleted." error={errors.log_retention_days}>
              {(p) => <input {...p} className="input input-short" inputMode="numeric" value={draft.log_retention_days} onChange={(e) => set('log_retention_days', e.target.value)} />}
            </Field>
          </div>
        </section>

        <section className="card" aria-labelledby={`${id}-tenant`}>
          <div className="card-header">
            <h2 id={`${id}-tenant`} className="card-title">
              Tenant
            </h2>
          </div>
          <div className="card-body">
            <dl className="facts">
              <div>
                <dt>Name</dt>
                <dd>{s.friendly_name}</dd>
              </div>
              <div>
                <dt>Plan</dt>
                <dd>{planLabel(s.plan)}</dd>
              </div>
              <div>
                <dt>Issuer</dt>
                <dd>
                  <code className="mono break">{s.issuer}</code>
                </dd>
              </div>
            </dl>
          </div>
        </section>

        <div className="form-actions">
          <span className="form-status" role="status">
            {status}
          </span>
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            Save Settings
          </button>
        </div>
      </form>
      {confirmStrict && (
        <ConfirmDialog
          title="Switch to Strict?"
          confirmLabel="Switch to Strict"
          onClose={() => setConfirmStrict(false)}
          onConfirm={async () => {
            setConfirmStrict(false);
            await write();
          }}
        >
          <p>These applications relied on the legacy policy lately. Their tokens will be refused until they sign assertions for {s.issuer}:</p>
          <ul className="legacy-list">
            {usage.data?.clients.map((c) => (
              <li key={c.client_id}>{c.name}</li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </div>
  );
}
