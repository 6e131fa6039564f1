import type { Grant } from './types.ts';
import type { GrantDeps } from './deps.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';

export type { Grant, GrantOutcome, TokenRequest, TokenResponse, TokenParams, RequestOrigin } from './types.ts';

/** Every grant type Signet implements, in the order discovery lists them. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** Every grant of the token endpoint, by grant_type. */
export class GrantRegistry {
  private readonly byType: ReadonlyMap<string, Grant>;

  constructor(deps: GrantDeps) {
    const grants = [authorizationCodeGrant(deps), refreshTokenGrant(deps), clientCredentialsGrant(deps)];
    this.byType = new Map(grants.map((g) => [g.type, g]));
    for (const t of GRANT_TYPES) if (!this.byType.has(t)) throw new Error(`grant ${t} has no module`);
  }

  get(type: string): Grant | undefined {
    return this.byType.get(type);
  }

  /** The grant types this server honours: discovery's grant_types_supported, and what a client's grant_types may hold. */
  get types(): readonly string[] {
    return GRANT_TYPES;
  }

  /** Every parameter any grant reads, merged (the token route's body schema). */
  parameters(): Record<string, { type: 'string'; maxLength?: number }> {
    const out: Record<string, { type: 'string'; maxLength?: number }> = {};
    for (const g of this.byType.values()) Object.assign(out, g.parameters);
    return out;
  }
}
