import type { AssertionPolicy } from './client-assertion/index.ts';
import type { TenantSettings } from './tenant-settings.ts';

/** A tenant's settings as the assertion verifier's policy (the 2048-byte size limit is fixed, as on Auth0). */
export const assertionPolicy = (s: TenantSettings): AssertionPolicy => ({
  maxAssertionBytes: 2048,
  maxLifetimeSeconds: s.max_assertion_lifetime,
  clockSkewSeconds: s.clock_skew,
  audiencePolicy: s.audience_policy,
});
