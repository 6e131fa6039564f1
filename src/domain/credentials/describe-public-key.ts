/**
 * Classifies a public KeyObject into the key families a credential may hold and extracts its
 * public JWK.
 *
 * Contract: returns `{ keyType, keyBits?, curve?, jwk }` for RSA (any size; size limits are a
 * separate rule, see key-fits-alg.ts), EC P-256/P-384/P-521 and Ed25519; throws
 * `InvalidInputError('unsupported_key_type', …, 'pem')` for everything else (DSA, DH, X25519,
 * X448, Ed448, RSA-PSS-restricted keys, other curves). The JWK holds public members only,
 * picked explicitly, so nothing private can slip through even if a private KeyObject is passed.
 */
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';

export type CredentialKeyType = 'RSA' | 'EC' | 'OKP';
export type CredentialCurve = 'P-256' | 'P-384' | 'P-521' | 'Ed25519';

export interface PublicKeyDescription {
  keyType: CredentialKeyType;
  keyBits?: number;
  curve?: CredentialCurve;
  jwk: JsonWebKey;
}

const SUPPORTED = 'Supported keys: RSA (2048 to 4096 bits), EC P-256, EC P-384 and Ed25519.';

/** OpenSSL curve names → JOSE names. */
const EC_CURVES: Readonly<Record<string, CredentialCurve>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function unsupported(message: string): InvalidInputError {
  return new InvalidInputError('unsupported_key_type', `${message} ${SUPPORTED}`, 'pem');
}

export function describePublicKey(key: KeyObject): PublicKeyDescription {
  // The type names below come from Node's fixed vocabulary, never from the input bytes.
  const type: string | undefined = key.asymmetricKeyType;
  switch (type) {
    case 'rsa': {
      const jwk = key.export({ format: 'jwk' });
      return { keyType: 'RSA', keyBits: key.asymmetricKeyDetails?.modulusLength, jwk: { kty: 'RSA', n: jwk.n, e: jwk.e } };
    }
    case 'ec': {
      const namedCurve = key.asymmetricKeyDetails?.namedCurve;
      const curve = namedCurve === undefined ? undefined : EC_CURVES[namedCurve];
      if (!curve) throw unsupported('This EC curve is not supported.');
      const jwk = key.export({ format: 'jwk' });
      return { keyType: 'EC', curve, jwk: { kty: 'EC', crv: curve, x: jwk.x, y: jwk.y } };
    }
    case 'ed25519': {
      const jwk = key.export({ format: 'jwk' });
      return { keyType: 'OKP', curve: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } };
    }
    case 'rsa-pss':
      // Node cannot express these as a JWK, and JOSE has no kty for them; a plain RSA key works
      // for PS256/PS384/PS512 anyway.
      throw unsupported(
        'RSA-PSS-restricted keys (OID id-RSASSA-PSS) are not supported; export the key as a plain RSA key (rsaEncryption), which also works for PS256, PS384 and PS512.',
      );
    case 'ed448':
      throw unsupported('Ed448 keys are not supported; use Ed25519 for EdDSA.');
    case 'x25519':
    case 'x448':
    case 'dh':
      throw unsupported('This is a key-agreement key (X25519, X448 or Diffie-Hellman), which cannot sign.');
    case 'dsa':
      throw unsupported('DSA keys are not supported.');
    default:
      throw unsupported('This key type is not supported.');
  }
}
