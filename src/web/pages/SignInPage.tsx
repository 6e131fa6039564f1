import { useState, type FormEvent } from 'react';
import { sessionApi, toApiError, type Session } from '../api.ts';
import { Field, ErrorSlot } from '../components/Field.tsx';
import { Logo } from '../components/Logo.tsx';

export function SignInPage({ onSignedIn, notice }: { onSignedIn: (s: Session) => Promise<void>; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await sessionApi.signIn(email.trim(), password);
      await onSignedIn(session);
    } catch (err) {
      setError(toApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <main className="signin-card">
        <div className="signin-brand">
          <Logo size={36} />
          <span className="brand-name">Signet</span>
        </div>
        <h1 className="signin-title">Sign in to Signet</h1>
        <p className="signin-subtitle">Manage applications, credentials and APIs for your tenants.</p>
        {notice && !error && (
          <p className="signin-notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <Field label="Email">
            {(p) => (
              <input {...p} className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required />
            )}
          </Field>
          <Field label="Password">
            {(p) => (
              <input {...p} className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            )}
          </Field>
          <ErrorSlot message={error} className="error-slot-form" />
          <button type="submit" className="button button-primary button-block" disabled={busy} aria-busy={busy || undefined}>
            Sign in
          </button>
        </form>
      </main>
    </div>
  );
}
