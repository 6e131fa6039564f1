import type { Grant } from './types.ts';
import type { GrantDeps } from './deps.ts';
import { clientCredentialsGrant } from './client-credentials.ts';

export type { Grant, GrantOutcome, TokenRequest, TokenResponse, TokenParams, RequestOrigin } from './types.ts';

/**
 * The grant types this server honours, in the order discovery lists them. Client grant_types
 * are validated against this list, and discovery is built from it.
 */
export const GRANT_TYPES = ['client_credentials'] as const;

/** Every grant of the token endpoint, by grant_type. */
export class GrantRegistry {
  private readonly byType: ReadonlyMap<string, Grant>;

  constructor(deps: GrantDeps) {
    const grants = [clientCredentialsGrant(deps)];
    this.byType = new Map(grants.map((g) => [g.type, g]));
    for (const t of GRANT_TYPES) if (!this.byType.has(t)) throw new Error(`grant ${t} has no module`);
  }

  get(type: string): Grant | undefined {
    return this.byType.get(type);
  }

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
