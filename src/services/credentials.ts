import type { Services } from './index.ts';
import type { Client, StoredCredential } from '../store/index.ts';
import type { Queryable } from '../store/sql/db.ts';
import type { TenantContext } from './tenant-directory.ts';
import { InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { assertPlanAllowsPrivateKeyJwt } from '../domain/plans.ts';
import { assertConfidential } from '../domain/app-types.ts';
import { checkNewCredential, checkExpiryUpdate, type CheckedCredential, type NewCredentialInput } from '../domain/credentials/index.ts';
import { newCredentialId } from '../domain/ids.ts';

/**
 * Credential use cases (Applications › Credentials). Every operation first establishes that
 * the client exists on this tenant, that the plan allows credentials and that the application
 * is confidential; writes happen in one transaction with the client locked, and bump the
 * client's version so cached views everywhere are refused at once.
 */
export class CredentialService {
  constructor(private readonly s: Services) {}

  async list(t: TenantContext, clientId: string): Promise<StoredCredential[]> {
    await this.gate(t, clientId);
    return this.s.store.credentials.list(t.tenant.id, clientId);
  }

  async get(t: TenantContext, clientId: string, id: string): Promise<StoredCredential> {
    await this.gate(t, clientId);
    const c = await this.s.store.credentials.get(t.tenant.id, clientId, id);
    if (!c) throw new NotFoundError('credential_not_found', 'Credential does not exist');
    return c;
  }

  async create(t: TenantContext, clientId: string, input: NewCredentialInput): Promise<StoredCredential> {
    await this.gate(t, clientId);
    const created = await this.s.store.db.transaction(async (tx) => {
      await lockClient(tx, clientId);
      return this.insert(t, clientId, input, tx);
    });
    this.s.cache.invalidate(t.tenant.id, clientId);
    return created;
  }

  /** Checks and stores one credential inside the caller's transaction (also used by client creation). */
  async insert(t: TenantContext, clientId: string, input: NewCredentialInput, tx: Queryable): Promise<StoredCredential> {
    const existing = await this.s.store.credentials.list(t.tenant.id, clientId, tx);
    const checked = checkNewCredential(input, { now: new Date(this.s.clock()), existing });
    const stored = await this.s.store.credentials.insert(credentialRow(checked, t.tenant.id, clientId), tx);
    await this.s.store.clients.touch(t.tenant.id, clientId, tx);
    return stored;
  }

  async updateExpiry(t: TenantContext, clientId: string, id: string, expiresAt: string | null | undefined): Promise<StoredCredential> {
    await this.gate(t, clientId);
    const updated = await this.s.store.db.transaction(async (tx) => {
      await lockClient(tx, clientId);
      const cur = await this.s.store.credentials.get(t.tenant.id, clientId, id, tx);
      if (!cur) throw new NotFoundError('credential_not_found', 'Credential does not exist');
      const next = checkExpiryUpdate(expiresAt, { now: new Date(this.s.clock()), certNotAfter: cur.certNotAfter === null ? null : new Date(cur.certNotAfter) });
      await this.s.store.credentials.updateExpiry(t.tenant.id, clientId, id, next?.getTime() ?? null, tx);
      await this.s.store.clients.touch(t.tenant.id, clientId, tx);
      return (await this.s.store.credentials.get(t.tenant.id, clientId, id, tx))!;
    });
    this.s.cache.invalidate(t.tenant.id, clientId);
    return updated;
  }

  async delete(t: TenantContext, clientId: string, id: string): Promise<void> {
    await this.gate(t, clientId);
    await this.s.store.db.transaction(async (tx) => {
      await lockClient(tx, clientId);
      const cur = await this.s.store.credentials.get(t.tenant.id, clientId, id, tx);
      if (!cur) throw new NotFoundError('credential_not_found', 'Credential does not exist');
      const enabled = await this.s.store.clients.enabledCredentialIds(clientId, tx);
      if (enabled.includes(id)) {
        throw new InvalidInputError(
          'credential_in_use',
          'Cannot delete credential still associated with a client: first remove it from client_authentication_methods.private_key_jwt.credentials (disable it for Private Key JWT), then delete it.',
        );
      }
      await this.s.store.credentials.delete(t.tenant.id, clientId, id, tx);
      await this.s.store.clients.touch(t.tenant.id, clientId, tx);
    });
    this.s.cache.invalidate(t.tenant.id, clientId);
  }

  /** 404 for a client of another tenant, 403 below Enterprise or for a public application. */
  async gate(t: TenantContext, clientId: string): Promise<Client> {
    const client = await this.s.store.clients.get(t.tenant.id, clientId);
    if (!client) throw new NotFoundError('client_not_found', 'Client not found.');
    assertPlanAllowsPrivateKeyJwt(t.tenant.plan);
    assertConfidential(client.appType);
    return client;
  }
}

/** Serialises concurrent credential changes on one client (the 4-credential limit is a read-then-write). */
export async function lockClient(tx: Queryable, clientId: string): Promise<void> {
  // SQLite transactions here are BEGIN IMMEDIATE, which already serialises writers.
  if (tx.dialect === 'postgres') await tx.get(`SELECT client_id FROM clients WHERE client_id = ? FOR UPDATE`, [clientId]);
}

/** The row a checked credential is stored as, with a new id (also how the benchmark seeds clients). */
export function credentialRow(checked: CheckedCredential, tenantId: string, clientId: string): Omit<StoredCredential, 'createdAt' | 'updatedAt' | 'lastUsedAt'> {
  return {
    id: newCredentialId(),
    tenantId,
    clientId,
    name: checked.name,
    credentialType: checked.credentialType,
    pem: checked.pem,
    alg: checked.alg,
    kid: checked.kid,
    thumbprint: checked.thumbprint,
    keyType: checked.keyType,
    keyBits: checked.keyBits,
    curve: checked.curve,
    subjectDn: checked.subjectDn,
    thumbprintSha256: checked.thumbprintSha256,
    certNotAfter: checked.certNotAfter?.getTime() ?? null,
    expiresAt: checked.expiresAt?.getTime() ?? null,
  };
}
