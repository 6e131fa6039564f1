import { useId, useState, type FormEvent } from 'react';
import { seg, toApiError, type AssertionReport } from '../api.ts';
import { useTenant } from '../context.ts';
import { Badge } from '../components/Badge.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';

const STATUS = {
  pass: { text: 'Pass', tone: 'success' },
  fail: { text: 'Fail', tone: 'danger' },
  skipped: { text: 'Not checked', tone: 'neutral' },
} as const;

/**
 * Runs the token endpoint's checks on an assertion without consuming its jti or issuing a
 * token, so a failing integration can be debugged with the very assertion it sends. The text
 * goes to the server exactly as pasted: the endpoint refuses whitespace around or inside an
 * assertion, so removing it here would pass what the endpoint refuses (the server's message
 * says when whitespace is the problem).
 */
export function AssertionChecker({ clientId }: { clientId: string }) {
  const { api } = useTenant();
  const [assertion, setAssertion] = useState('');
  const [report, setReport] = useState<AssertionReport | null>(null);
  const [errors, setErrors] = useState<{ field?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const value = assertion;
    if (!value.trim()) {
      setErrors({ field: 'Paste a client assertion (a JWT) to check.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      setReport(await api.post<AssertionReport>(`/clients/${seg(clientId)}/check-assertion`, { client_assertion: value }));
    } catch (err) {
      const apiErr = toApiError(err);
      setReport(null);
      setErrors(apiErr.field === 'client_assertion' ? { field: apiErr.message } : { top: apiErr.message });
    } finally {
      setBusy(false);
    }
  };

  const failed = report?.checks.filter((c) => c.status === 'fail').length ?? 0;
  const summary = !report ? '' : report.ok ? 'All checks passed' : failed > 0 ? `${failed} ${failed === 1 ? 'check' : 'checks'} failed` : 'The assertion would not be accepted';

  return (
    <div className="checker">
      <h3 className="section-title">Check an assertion</h3>
      <p className="muted">Paste an assertion your backend produced. Signet runs every token-endpoint check on it, without using up its jti or issuing a token.</p>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={errors.top} />
        <Field label="Client assertion" error={errors.field}>
          {(p) => (
            <textarea
              {...p}
              className="textarea mono"
              rows={4}
              value={assertion}
              spellCheck={false}
              autoComplete="off"
              placeholder="eyJhbGciOi…"
              onChange={(e) => setAssertion(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions form-actions-start">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
            Check assertion
          </button>
        </div>
      </form>
      <div className="checker-result" aria-live="polite">
        {report && (
          <>
            <p className={`checker-summary ${report.ok ? 'is-ok' : 'is-failed'}`} id={`${id}-summary`}>
              <span aria-hidden="true">{report.ok ? '✓' : '✕'}</span> {summary}
            </p>
            <ul className="check-list" role="list" aria-labelledby={`${id}-summary`}>
              {report.checks.map((c) => {
                const s = STATUS[c.status] ?? STATUS.skipped;
                return (
                  <li key={c.id} className={`check check-${c.status}`}>
                    <div className="check-head">
                      <span className="check-label">{c.label}</span>
                      <Badge tone={s.tone}>{s.text}</Badge>
                    </div>
                    {c.message && <p className="check-message">{c.message}</p>}
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
