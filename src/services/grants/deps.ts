import type { Store } from '../../store/index.ts';
import type { TenantSigningKey } from '../../domain/access-token.ts';
import type { AsymmetricTokenAlg } from '../../domain/jwt-sign.ts';
import type { ResourceServer } from '../../store/index.ts';
import type { ApiTokenSigning } from '../api-token-signing.ts';
import type { UserClaimsSource } from '../../domain/id-token.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { Clock } from '../../domain/clock.ts';
import type { StoredAuthorizationCode } from '../../store/authorization-codes.ts';

/** A user as the grants need them: the claims they may state, and whether they may still sign in. */
export interface GrantUser extends UserClaimsSource {
  blocked: boolean;
}

/** The codes /authorize issued (src/store/authorization-codes.ts), as the code grant uses them. */
export interface CodeSource {
  find(tenantId: string, codeHash: string): Promise<StoredAuthorizationCode | null>;
  claim(tenantId: string, codeHash: string, now: number): Promise<boolean>;
  setIssuedFamily(tenantId: string, codeHash: string, familyId: string): Promise<void>;
}

/** What grants need from the rest of the server (built once in the composition root). */
export interface GrantDeps {
  store: Store;
  clock: Clock;
  /** The tenant's current key of `alg` (default RS256, which also signs ID tokens). */
  signingKey(tenant: TenantContext, alg?: AsymmetricTokenAlg): Promise<TenantSigningKey>;
  /** How an API's access tokens are signed (its HS256 secret opened), for grants that read the API per request. */
  apiSigning(api: ResourceServer): ApiTokenSigning;
  /** The tenant's users, whom the code and refresh grants issue tokens for. */
  users: { get(tenantId: string, userId: string): Promise<GrantUser | null> };
  codes: CodeSource;
}
