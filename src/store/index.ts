import { openDb, type Db } from './sql/db.ts';
import { migrate } from './sql/migrations.ts';
import { TenantStore } from './tenants.ts';
import { SigningKeyStore } from './signing-keys.ts';
import { ClientStore } from './clients.ts';
import { CredentialStore } from './credentials.ts';
import { ResourceServerStore } from './resource-servers.ts';
import { ClientGrantStore } from './client-grants.ts';
import { SqlReplayStore, type ReplayStore, type SharedRateCounter } from './replay.ts';
import { LogStore } from './logs.ts';
import { AdminStore } from './admins.ts';
import { PlatformAuditStore } from './platform-audit.ts';
import { LegacyAudienceStore } from './legacy-audience.ts';
import { RefreshTokenStore } from './refresh-tokens.ts';
import { UserStore } from './users.ts';
import { AuthorizationCodeStore } from './authorization-codes.ts';
import { LoginSessionStore } from './login-sessions.ts';
import { LoginTransactionStore } from './login-transactions.ts';
import { PushedRequestStore } from './pushed-requests.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { observeReplay, type StoreObserver } from './observed.ts';
import { observeDb } from './sql/observed-db.ts';

/** Narrow stores over one database, built once by the composition root. */
export interface Store {
  db: Db;
  tenants: TenantStore;
  signingKeys: SigningKeyStore;
  clients: ClientStore;
  credentials: CredentialStore;
  resourceServers: ResourceServerStore;
  clientGrants: ClientGrantStore;
  replay: ReplayStore;
  /** Rate-limit counters shared by every process and node: Redis, when configured (the replay store's connection). */
  rateCounter?: SharedRateCounter;
  logs: LogStore;
  admins: AdminStore;
  platformAudit: PlatformAuditStore;
  legacyAudience: LegacyAudienceStore;
  refreshTokens: RefreshTokenStore;
  users: UserStore;
  authorizationCodes: AuthorizationCodeStore;
  loginSessions: LoginSessionStore;
  loginTransactions: LoginTransactionStore;
  pushedRequests: PushedRequestStore;
  close(): Promise<void>;
}

/**
 * `redisUrl`, when given, adds Redis in front of the jti store (see RedisReplayStore: the
 * database keeps every record too); ioredis is loaded only then.
 * `observer`, when given, sees every database call and replay claim (metrics).
 */
export async function openStore(url: string, box: SecretBox, opts: { redisUrl?: string; logFlushMs?: number; observer?: StoreObserver } = {}): Promise<Store> {
  const opened = await openDb(url);
  const db = opts.observer ? observeDb(opened, opts.observer) : opened;
  try {
    await migrate(db);
  } catch (err) {
    // A refused or failed migration must not leave a pool open: the process has to be able to exit.
    await db.close().catch(() => undefined);
    throw err;
  }
  const logs = new LogStore(db, opts.logFlushMs);
  const clients = new ClientStore(db);
  const sqlReplay = new SqlReplayStore(db);
  const redisReplay = opts.redisUrl ? new (await import('./redis-replay.ts')).RedisReplayStore(opts.redisUrl, sqlReplay) : undefined;
  const bare: ReplayStore = redisReplay ?? sqlReplay;
  const replay = opts.observer ? observeReplay(bare, opts.observer) : bare;
  return {
    ...(redisReplay && { rateCounter: redisReplay }),
    db,
    tenants: new TenantStore(db),
    signingKeys: new SigningKeyStore(db, box),
    clients,
    credentials: new CredentialStore(db),
    resourceServers: new ResourceServerStore(db),
    clientGrants: new ClientGrantStore(db),
    replay,
    logs,
    admins: new AdminStore(db),
    platformAudit: new PlatformAuditStore(db),
    legacyAudience: new LegacyAudienceStore(db),
    refreshTokens: new RefreshTokenStore(db),
    users: new UserStore(db),
    authorizationCodes: new AuthorizationCodeStore(db),
    loginSessions: new LoginSessionStore(db),
    loginTransactions: new LoginTransactionStore(db),
    pushedRequests: new PushedRequestStore(db),
    async close() {
      await logs.flush();
      await replay.close?.();
      await db.close();
    },
  };
}

export type { Tenant } from './tenants.ts';
export type { Admin, AdminSession } from './admins.ts';
export type { Client } from './clients.ts';
export type { StoredCredential } from './credentials.ts';
export type { ResourceServer } from './resource-servers.ts';
export type { ClientGrant } from './client-grants.ts';
export type { StoredUser } from './users.ts';
export type { AuthorizationCode, StoredAuthorizationCode } from './authorization-codes.ts';
export type { LoginSession } from './login-sessions.ts';
export type { LoginTransaction } from './login-transactions.ts';
