import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { seg, toApiError, type Credential, type NewCredential } from '../api.ts';
import { useTenant } from '../context.ts';
import { ErrorBanner } from '../components/Banner.tsx';
import { ErrorSlot, Field } from '../components/Field.tsx';
import { credentialTypeOf, isPrivateKeyRefusal, looksLikePrivateKey, MAX_PEM_FILE_BYTES, PRIVATE_KEY_MESSAGE } from './pem.ts';
import { endOfLocalDayIso, tomorrowInput } from './expiry.ts';
import { ALGORITHMS, algsForKey, describeKeyShape, keyShapeOf } from './key-shape.ts';


type Errors = Partial<Record<'name' | 'pem' | 'alg' | 'expires_at' | 'parse_expiry' | 'file' | 'top', string>>;

/** Where a server error about a request field is shown in this form. */
function slotFor(field: string | undefined): keyof Errors {
  switch (field) {
    case 'name':
      return 'name';
    case 'pem':
    case 'credential_type':
    case 'kid':
      return 'pem';
    case 'alg':
      return 'alg';
    case 'expires_at':
      return 'expires_at';
    case 'parse_expiry_from_cert':
      return 'parse_expiry';
    default:
      return 'top';
  }
}

/**
 * Upload of a public key or certificate. The PEM is read locally (FileReader) and sent only to
 * this Signet; a private key is never echoed back: the textarea is wiped whenever one is
 * recognised, here or by the server.
 */
export function AddCredentialForm({ clientId, onAdded, onCancel }: { clientId: string; onAdded: (c: Credential) => void; onCancel: () => void }) {
  const { api } = useTenant();
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [alg, setAlg] = useState<string>('RS256');
  const [explicitExpiry, setExplicitExpiry] = useState(false);
  const [expiryDate, setExpiryDate] = useState('');
  const [useCertExpiry, setUseCertExpiry] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [fileNote, setFileNote] = useState('');
  // After a refusal the box is empty on purpose; the refusal, not "PEM required", is what to keep saying.
  const [refused, setRefused] = useState(false);
  const root = useRef<HTMLFormElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();

  const isCert = credentialTypeOf(pem) === 'x509_cert';
  // The key decides the algorithm family: offer only what it can sign, so an EC key never meets RS256.
  const shape = keyShapeOf(pem);
  const fitting = algsForKey(shape, ALGORITHMS);
  const chosenAlg = fitting.includes(alg) ? alg : fitting[0]!;

  useEffect(() => {
    root.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const refusePrivateKey = (extra: Errors = {}) => {
    setPem('');
    setRefused(true);
    setFileNote('');
    setErrors({ ...extra, pem: PRIVATE_KEY_MESSAGE });
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    // Reset, so choosing the same file again still fires a change.
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_PEM_FILE_BYTES) {
      setErrors((x) => ({ ...x, file: `${file.name} is too large for a PEM file (${Math.ceil(file.size / 1024)} KB). Choose the public key or certificate file.` }));
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const text = typeof reader.result === 'string' ? reader.result : '';
      if (looksLikePrivateKey(text)) {
        refusePrivateKey();
        return;
      }
      setPem(text);
      setRefused(false);
      setFileNote(`Read ${file.name}.`);
      setErrors((x) => ({ ...x, file: undefined, pem: undefined }));
    };
    reader.onerror = () => setErrors((x) => ({ ...x, file: `Could not read ${file.name}.` }));
    reader.readAsText(file);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const next: Errors = {};
    if (!name.trim()) next.name = 'Enter a name, so you can tell this credential apart when rotating keys.';
    if (!pem.trim()) next.pem = 'Paste a public key or certificate, or upload a PEM file.';
    const expiresAt = explicitExpiry && !(isCert && useCertExpiry) ? endOfLocalDayIso(expiryDate) : undefined;
    if (explicitExpiry && !(isCert && useCertExpiry) && !expiresAt) next.expires_at = 'Choose the expiry date.';
    if (looksLikePrivateKey(pem) || (refused && !pem.trim())) {
      refusePrivateKey({ ...next, pem: undefined });
      return;
    }
    setErrors(next);
    if (Object.keys(next).length) return;

    const body: NewCredential = {
      credential_type: credentialTypeOf(pem),
      name: name.trim(),
      pem,
      alg: chosenAlg,
      ...(expiresAt && { expires_at: expiresAt }),
      ...(isCert && useCertExpiry && { parse_expiry_from_cert: true }),
    };
    setBusy(true);
    try {
      const created = await api.post<Credential>(`/clients/${seg(clientId)}/credentials`, body);
      setName('');
      setPem('');
      setExplicitExpiry(false);
      setExpiryDate('');
      setUseCertExpiry(false);
      setFileNote('');
      onAdded(created);
    } catch (err) {
      const apiErr = toApiError(err);
      if (isPrivateKeyRefusal(apiErr.errorCode, apiErr.message)) refusePrivateKey();
      else setErrors({ [slotFor(apiErr.field)]: apiErr.message });
      setBusy(false);
    }
  };

  return (
    <form ref={root} className="add-credential" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="add-credential-title">
        New credential
      </h3>
      <ErrorBanner message={errors.top} />
      <Field label="Name" error={errors.name} hint="For example: orders-backend-2025.">
        {(p) => <input {...p} className="input" value={name} maxLength={128} onChange={(e) => {
              setName(e.target.value);
              if (errors.name || errors.top) setErrors((x) => ({ ...x, name: undefined, top: undefined }));
            }} autoComplete="off" />}
      </Field>

      <div className="field">
        <label className="field-label" htmlFor={`${id}-file`}>
          Upload a PEM file
        </label>
        <input
          ref={fileInput}
          id={`${id}-file`}
          type="file"
          className="file-input"
          accept=".pem,.pub,.crt,.cer,.key,text/plain,application/x-pem-file"
          onChange={onFile}
          aria-describedby={`${id}-file-hint`}
        />
        <p className="field-hint" id={`${id}-file-hint`}>
          {fileNote || 'Read in your browser and placed in the box below; nothing is uploaded until you add the credential.'}
        </p>
        <ErrorSlot message={errors.file} />
      </div>

      <Field
        label="Public key or certificate (PEM)"
        error={errors.pem}
        hint={
          pem.trim()
            ? isCert
              ? `Detected: X.509 certificate${shape ? ` with an ${describeKeyShape(shape)}` : ''}.`
              : `Detected: ${shape ? describeKeyShape(shape) : 'public key'}.`
            : 'Starts with -----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----. Never paste the private key.'
        }
      >
        {(p) => (
          <textarea
            {...p}
            className="textarea mono"
            rows={8}
            value={pem}
            spellCheck={false}
            autoComplete="off"
            placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
            onChange={(e) => {
              const v = e.target.value;
              if (looksLikePrivateKey(v)) refusePrivateKey();
              else {
                setPem(v);
                if (v.trim()) setRefused(false);
                if (errors.pem || errors.top || errors.alg) setErrors((x) => ({ ...x, pem: undefined, top: undefined, alg: undefined }));
              }
            }}
          />
        )}
      </Field>

      <Field
        label="Algorithm"
        error={errors.alg}
        hint={
          shape && fitting.length < ALGORITHMS.length
            ? `Only the algorithms an ${describeKeyShape(shape)} can sign with are offered.`
            : 'RS* and PS* need an RSA key of 2048–4096 bits; ES256 a P-256 key, ES384 a P-384 key, EdDSA an Ed25519 key.'
        }
      >
        {(p) => (
          <select
            {...p}
            className="select"
            value={chosenAlg}
            onChange={(e) => {
              setAlg(e.target.value);
              if (errors.alg) setErrors((x) => ({ ...x, alg: undefined }));
            }}
          >
            {fitting.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        )}
      </Field>

      <div className="field">
        {isCert && (
          <div className="check-row">
            <input
              type="checkbox"
              className="checkbox"
              id={`${id}-certexp`}
              checked={useCertExpiry}
              onChange={(e) => {
                setUseCertExpiry(e.target.checked);
                if (e.target.checked) setExplicitExpiry(false);
              }}
            />
            <label htmlFor={`${id}-certexp`}>Use the certificate's expiry</label>
          </div>
        )}
        {isCert && <ErrorSlot message={errors.parse_expiry} className="error-slot-tight" />}
        <div className="check-row">
          <input
            type="checkbox"
            className="checkbox"
            id={`${id}-exp`}
            checked={explicitExpiry}
            disabled={isCert && useCertExpiry}
            onChange={(e) => setExplicitExpiry(e.target.checked)}
          />
          <label htmlFor={`${id}-exp`}>Set an explicit expiry date</label>
        </div>
        {!isCert && errors.parse_expiry && <ErrorSlot message={errors.parse_expiry} className="error-slot-tight" />}
        {explicitExpiry && !(isCert && useCertExpiry) ? (
          <Field label="Expiry date" error={errors.expires_at} className="field-nested" hint="The credential stops verifying at the end of this day (your time zone).">
            {(p) => <input {...p} type="date" className="input input-date" value={expiryDate} min={tomorrowInput()} onChange={(e) => setExpiryDate(e.target.value)} />}
          </Field>
        ) : (
          <ErrorSlot message={errors.expires_at} />
        )}
      </div>

      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy || undefined}>
          Add Credential
        </button>
      </div>
    </form>
  );
}
