import { useState, type FormEvent } from 'react';
import { toApiError, type User } from '../api.ts';
import { useTenant } from '../context.ts';
import { Dialog, DialogActions } from '../components/Dialog.tsx';
import { ErrorBanner } from '../components/Banner.tsx';
import { Field } from '../components/Field.tsx';

export const DATABASE_CONNECTION = 'Username-Password-Authentication';
export const PASSWORD_HINT = 'At least 8 characters, and not one of the most common passwords.';

/** A new user of the tenant's database connection: email and password, refusals shown at their field. */
export function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const { api } = useTenant();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const next: typeof errors = {};
    if (!email.trim()) next.email = 'Enter the user’s email address.';
    if (!password) next.password = 'Enter a password.';
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const created = await api.post<User>('/users', { connection: DATABASE_CONNECTION, email: email.trim(), password });
      onCreated(created);
    } catch (err) {
      const apiErr = toApiError(err);
      // A taken email comes back as a conflict without a field; it is still about the email.
      const slot = apiErr.field === 'email' || apiErr.field === 'password' ? apiErr.field : apiErr.status === 409 ? 'email' : 'top';
      setErrors({ [slot]: apiErr.message });
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create user" description={`The user signs in with this email and password (connection ${DATABASE_CONNECTION}).`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={errors.top} />
        <Field label="Email" error={errors.email}>
          {(p) => <input {...p} className="input" type="email" value={email} maxLength={254} onChange={(e) => setEmail(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Password" error={errors.password} hint={PASSWORD_HINT}>
          {(p) => <input {...p} className="input" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />}
        </Field>
        <DialogActions onCancel={onClose} label="Create" busy={busy} />
      </form>
    </Dialog>
  );
}

/** A new password for one user; the old one stops working at once. */
export function ResetPasswordDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const { api } = useTenant();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ password?: string; top?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!password) return setError({ password: 'Enter a new password.' });
    setBusy(true);
    try {
      await api.patch<User>(`/users/${encodeURIComponent(user.user_id)}`, { connection: DATABASE_CONNECTION, password });
      onDone();
    } catch (err) {
      const apiErr = toApiError(err);
      setError(apiErr.field === 'password' ? { password: apiErr.message } : { top: apiErr.message });
      setBusy(false);
    }
  };

  return (
    <Dialog title="Reset password" description={`Set a new password for ${user.email}.`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={error.top} />
        <Field label="New password" error={error.password} hint={PASSWORD_HINT}>
          {(p) => <input {...p} className="input" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />}
        </Field>
        <DialogActions onCancel={onClose} label="Set password" busy={busy} />
      </form>
    </Dialog>
  );
}
