import type { Store } from '../store/index.ts';
import { MANAGEMENT_SCOPES } from '../domain/management-scopes.ts';

/**
 * When a release adds Management API scopes (e.g. the signing-key ones), tenants created before
 * it get them too: their Management API defines every scope, and a grant that held every scope
 * the API defined before (the full-access grant made with the tenant) keeps holding every scope.
 * Narrower grants are left as their owners made them. Idempotent; run at start-up, once.
 */
export async function addNewManagementScopes(store: Store): Promise<{ tenants: number; grants: number }> {
  let tenants = 0;
  let grants = 0;
  const lacks = async (tenantId: string) => {
    const api = await store.resourceServers.system(tenantId);
    return api !== undefined && MANAGEMENT_SCOPES.some((s) => !api.scopes.some((d) => d.value === s));
  };
  for (const tenant of await store.tenants.list()) {
    if (!(await lacks(tenant.id))) continue;
    // Read and written in one transaction behind the tenant's row lock, so two processes starting together add each scope once.
    const changed = await store.db.transaction(async (tx) => {
      await store.tenants.touch(tenant.id, tx);
      const api = await store.resourceServers.system(tenant.id, tx);
      if (!api) return false;
      const defined = new Set(api.scopes.map((s) => s.value));
      const missing = MANAGEMENT_SCOPES.filter((s) => !defined.has(s));
      if (missing.length === 0) return false;
      await tx.run(`UPDATE resource_servers SET scopes = ?, updated_at = ? WHERE id = ?`, [
        JSON.stringify([...api.scopes, ...missing.map((value) => ({ value, description: value }))]),
        Date.now(),
        api.id,
      ]);
      for (const g of await store.clientGrants.list(tenant.id, { audience: api.identifier }, tx)) {
        const held = new Set(g.scope);
        if (![...defined].every((s) => held.has(s))) continue;
        await store.clientGrants.update(tenant.id, g.id, { scope: [...g.scope, ...missing.filter((s) => !held.has(s))] }, tx);
        grants++;
      }
      return true;
    });
    if (changed) tenants++;
  }
  return { tenants, grants };
}
