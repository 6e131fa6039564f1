/**
 * Rules tying a parsed key to the alg it is registered for.
 *
 * Contract: `assertKeyFitsAlg` throws `InvalidInputError('alg_key_mismatch', …, 'alg')` when the
 * key cannot produce signatures of that alg (RS and PS need RSA, ES256 P-256, ES384 P-384, EdDSA
 * Ed25519), naming the algs that would fit. `assertRsaKeySize` throws `key_too_small` /
 * `key_too_large` (field `pem`) outside 2048..4096 bits, stating the bounds and the actual size.
 * Messages describe the key (type, size, curve), never its bytes.
 */
import { InvalidInputError } from '../errors.ts';
import { CREDENTIAL_ALGS, keyRequirement, type CredentialAlg } from './credential-algs.ts';
import type { CredentialCurve, CredentialKeyType } from './describe-public-key.ts';

/** Below 2048 bits RSA is breakable in practice (NIST SP 800-131A); Auth0 uses the same floor. */
export const MIN_RSA_KEY_BITS = 2048;
/** Auth0's ceiling; larger keys only cost verification time on the token endpoint. */
export const MAX_RSA_KEY_BITS = 4096;

export interface KeyShape {
  keyType: CredentialKeyType;
  keyBits?: number;
  curve?: CredentialCurve;
}

export function fitsAlg(alg: CredentialAlg, key: KeyShape): boolean {
  const need = keyRequirement(alg);
  return need.keyType === key.keyType && (need.curve === undefined || need.curve === key.curve);
}

export function assertKeyFitsAlg(alg: CredentialAlg, key: KeyShape): void {
  if (fitsAlg(alg, key)) return;
  const fitting = CREDENTIAL_ALGS.filter((a) => fitsAlg(a, key));
  const advice =
    fitting.length > 0
      ? `For this key use ${fitting.join(', ')}.`
      : 'No supported alg uses this key; use an RSA, EC P-256, EC P-384 or Ed25519 key.';
  throw new InvalidInputError(
    'alg_key_mismatch',
    `alg ${alg} needs ${describeRequirement(alg)}, but the uploaded key is ${describeKey(key)}. ${advice}`,
    'alg',
  );
}

export function assertRsaKeySize(key: KeyShape): void {
  if (key.keyType !== 'RSA' || key.keyBits === undefined) return;
  const bounds = `RSA keys must be ${MIN_RSA_KEY_BITS} to ${MAX_RSA_KEY_BITS} bits`;
  if (key.keyBits < MIN_RSA_KEY_BITS) {
    throw new InvalidInputError('key_too_small', `The RSA key is too small: ${key.keyBits} bits. ${bounds}.`, 'pem');
  }
  if (key.keyBits > MAX_RSA_KEY_BITS) {
    throw new InvalidInputError('key_too_large', `The RSA key is too large: ${key.keyBits} bits. ${bounds}.`, 'pem');
  }
}

function describeRequirement(alg: CredentialAlg): string {
  const need = keyRequirement(alg);
  if (need.keyType === 'RSA') return 'an RSA key';
  if (need.keyType === 'EC') return `an EC ${need.curve} key`;
  return `an ${need.curve} key`;
}

function describeKey(key: KeyShape): string {
  if (key.keyType === 'RSA') return key.keyBits === undefined ? 'an RSA key' : `an RSA ${key.keyBits}-bit key`;
  if (key.keyType === 'EC') return `an EC ${key.curve ?? '(unknown curve)'} key`;
  return `an ${key.curve ?? 'OKP'} key`;
}
