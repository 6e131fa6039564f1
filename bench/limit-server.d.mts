/** Types of bench/limit-server.mjs (plain JavaScript so that it runs without a loader). */
import type { Server } from 'node:http';

export type AccessTokenAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA' | 'HS256';
export const ACCESS_TOKEN_ALGS: readonly AccessTokenAlg[];

export interface LimitConfig {
  port: number;
  workers: number;
  issuer: string;
  clientId: string;
  /** The client's RS256 public key (SPKI PEM). */
  clientPublicKeyPem: string;
  accessTokenAlg: AccessTokenAlg;
  /** PKCS#8 PEM for the asymmetric algorithms; the base64url secret for HS256. */
  signingKey: string;
  kid: string;
  /** The one API a token can be for, and the scope granted on it. */
  api: string;
  scope: string;
  lifetimeSeconds: number;
}

export function accessTokenSigner(alg: AccessTokenAlg, signingKey: string): (data: Buffer, done: (err: Error | null, sig: Buffer) => void) => void;
export function createLimitServer(config: LimitConfig): Server;
