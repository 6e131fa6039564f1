import type { Store } from '../../store/index.ts';
import type { TenantSigningKey } from '../../domain/access-token.ts';
import type { UserClaimsSource } from '../../domain/id-token.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { Clock } from '../../domain/clock.ts';

/** A user as the grants need them: the claims they may state, and whether they may still sign in. */
export interface GrantUser extends UserClaimsSource {
  blocked: boolean;
}

/** What /authorize recorded for a code (see src/store/authorization-codes.ts). */
export interface IssuedCode {
  tenantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  audience: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  sid: string;
  authTime: number;
  expiresAt: number;
  usedAt: number | null;
  issuedFamily: string | null;
}

export interface CodeSource {
  find(tenantId: string, codeHash: string): Promise<IssuedCode | null>;
  claim(tenantId: string, codeHash: string, now: number): Promise<boolean>;
  setIssuedFamily(tenantId: string, codeHash: string, familyId: string): Promise<void>;
}

/** What grants need from the rest of the server (built once in the composition root). */
export interface GrantDeps {
  store: Store;
  clock: Clock;
  signingKey(tenant: TenantContext): Promise<TenantSigningKey>;
  /** Present once the server has users: the user-facing grants are registered only then. */
  users?: { get(tenantId: string, userId: string): Promise<GrantUser | null> };
  codes?: CodeSource;
}
