import type { Store } from '../../store/index.ts';
import type { TenantSigningKey } from '../../domain/access-token.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { Clock } from '../../domain/clock.ts';

/** What grants need from the rest of the server (built once in the composition root). */
export interface GrantDeps {
  store: Store;
  clock: Clock;
  signingKey(tenant: TenantContext): Promise<TenantSigningKey>;
}
