import { useEffect, useId, useState } from 'react';
import type { Client, SecretMethod } from '../api.ts';
import { CopyButton } from '../components/CopyButton.tsx';

/**
 * The client secret, masked until asked for. It is only shown while a secret method is in
 * force: with Private Key JWT active the server refuses secrets, and showing one would suggest
 * otherwise.
 */
export function ClientSecretField({ client, method }: { client: Client; method: SecretMethod | 'private_key_jwt' }) {
  const [revealed, setRevealed] = useState(false);
  const id = useId();
  useEffect(() => setRevealed(false), [client.client_id, method]);

  if (method === 'private_key_jwt') {
    return (
      <div className="secret-note">
        <p>Client secrets are not accepted while Private Key JWT is active.</p>
      </div>
    );
  }
  if (method === 'none') {
    return (
      <div className="secret-note">
        <p>With None, no client secret is used: the application sends only its Client ID.</p>
      </div>
    );
  }
  const secret = client.client_secret;
  if (!secret) {
    return (
      <div className="secret-note">
        <p>The client secret is not available to your account.</p>
      </div>
    );
  }
  return (
    <div className="field secret-field">
      <label className="field-label" htmlFor={id}>
        Client Secret
      </label>
      <div className="input-row">
        <input
          id={id}
          className="input mono"
          type="text"
          readOnly
          // Masked by value rather than type=password, so password managers leave it alone and
          // the real secret is not in the page until someone asks to see it.
          value={revealed ? secret : '•'.repeat(Math.min(secret.length, 40))}
          aria-describedby={`${id}-hint`}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="button" className="button button-secondary" onClick={() => setRevealed((r) => !r)}>
          {revealed ? 'Hide' : 'Reveal'}
        </button>
        <CopyButton text={secret} small={false} />
      </div>
      <p id={`${id}-hint`} className="field-hint">
        Keep it on your server. Anyone with it can get tokens as this application.
      </p>
    </div>
  );
}
