import type { Db, Queryable } from './db.ts';

/**
 * Schema, one list for both databases. Timestamps are BIGINT epoch milliseconds, booleans
 * INTEGER 0/1, structured values TEXT holding JSON, so the same SQL runs on SQLite and PostgreSQL.
 * Append new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    settings TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE domains (
    host TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    alg TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_key_enc TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX signing_keys_tenant ON signing_keys(tenant_id);
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    app_type TEXT NOT NULL,
    token_endpoint_auth_method TEXT,
    private_key_jwt INTEGER NOT NULL DEFAULT 0,
    client_secret_enc TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    callbacks TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,
    jwt_alg TEXT NOT NULL DEFAULT 'RS256',
    is_system INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX clients_tenant ON clients(tenant_id);
  CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_type TEXT NOT NULL,
    pem TEXT NOT NULL,
    alg TEXT NOT NULL,
    kid TEXT NOT NULL,
    thumbprint TEXT NOT NULL,
    key_type TEXT NOT NULL,
    key_bits INTEGER,
    curve TEXT,
    subject_dn TEXT,
    thumbprint_sha256 TEXT,
    cert_not_after BIGINT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_used_at BIGINT,
    UNIQUE (client_id, thumbprint),
    UNIQUE (client_id, kid)
  );
  CREATE TABLE client_pkjwt_credentials (
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL REFERENCES credentials(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (client_id, credential_id)
  );
  CREATE TABLE resource_servers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    identifier TEXT NOT NULL,
    scopes TEXT NOT NULL,
    signing_alg TEXT NOT NULL DEFAULT 'RS256',
    token_lifetime INTEGER NOT NULL,
    is_system INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, identifier)
  );
  CREATE TABLE client_grants (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, client_id, audience)
  );
  CREATE TABLE used_jtis (
    key TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX used_jtis_expiry ON used_jtis(expires_at);
  CREATE TABLE log_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    date BIGINT NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL,
    client_id TEXT,
    client_name TEXT,
    ip TEXT,
    user_agent TEXT,
    details TEXT NOT NULL
  );
  CREATE INDEX log_events_tenant_date ON log_events(tenant_id, date);
  `,
  // 2: dashboard admins. Session ids and CSRF tokens are stored only as SHA-256 digests, so a
  // database read does not hand out live sessions.
  `
  CREATE TABLE admins (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE admin_sessions (
    id_hash TEXT PRIMARY KEY,
    admin_id TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);
  CREATE TABLE admin_login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
  );
  CREATE INDEX admin_login_failures_key ON admin_login_failures(key, at);
  `,
  // 3: facts about the installation itself, such as the public URL the server last started with
  // (the CLI uses it, so a tenant created from another shell gets the server's domains).
  `
  CREATE TABLE platform_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 4: sign-in attempts are counted per key (reserved before the password is checked, see
  // src/domain/sign-in-throttle.ts) instead of one row per failure; and platform admins'
  // sign-ins and account changes go to a platform audit log, never to a tenant's log events.
  `
  DROP TABLE admin_login_failures;
  CREATE TABLE admin_sign_in_throttle (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_at BIGINT NOT NULL,
    not_before BIGINT NOT NULL
  );
  CREATE INDEX admin_sign_in_throttle_last_at ON admin_sign_in_throttle(last_at);
  CREATE TABLE platform_audit (
    id TEXT PRIMARY KEY,
    date BIGINT NOT NULL,
    type TEXT NOT NULL,
    email TEXT,
    ip TEXT,
    user_agent TEXT,
    reason TEXT,
    via TEXT NOT NULL
  );
  CREATE INDEX platform_audit_date ON platform_audit(date, id);
  `,
  // 5: when each application last got a token with an assertion accepted only under the legacy
  // audience policy (written at most once a minute per application and process), so the
  // dashboard can say which applications still rely on it.
  `
  CREATE TABLE client_legacy_audience (
    client_id TEXT PRIMARY KEY REFERENCES clients(client_id) ON DELETE CASCADE,
    last_used_at BIGINT NOT NULL
  );
  `,
  // 6: Management API lists are read a page at a time in (creation time, id) order per tenant
  // (src/store/paging.ts): index that order so a page costs its own rows, not its position.
  `
  CREATE INDEX clients_tenant_created ON clients(tenant_id, created_at, client_id);
  CREATE INDEX resource_servers_tenant_created ON resource_servers(tenant_id, created_at, id);
  CREATE INDEX client_grants_tenant_created ON client_grants(tenant_id, created_at, id)
  `,
  // 7: Auth0's descriptive fields of applications, APIs and client grants, stored as sent in one
  // JSON document per row (src/domain/object-fields says which fields and why); an API's HS256
  // signing secret, sealed like client secrets.
  `
  ALTER TABLE clients ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE resource_servers ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE resource_servers ADD COLUMN signing_secret_enc TEXT;
  ALTER TABLE client_grants ADD COLUMN extras TEXT NOT NULL DEFAULT '{}'
  `,
  // 8: log events are numbered per tenant at insert time (`seq`, from a per-tenant counter row
  // that each inserting transaction locks until it commits), so the order of their numbers is
  // the order in which they became visible: an exporter paging by checkpoint never passes a
  // number that a still-uncommitted event will later take. Existing events are numbered in
  // (date, id) order and keep their ids. Events also gain Auth0's top-level fields.
  `
  CREATE TABLE log_events_numbered (
    tenant_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    id TEXT NOT NULL,
    date BIGINT NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL,
    client_id TEXT,
    client_name TEXT,
    ip TEXT,
    user_agent TEXT,
    hostname TEXT,
    audience TEXT,
    scope TEXT,
    user_id TEXT,
    user_name TEXT,
    details TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
  );
  INSERT INTO log_events_numbered (tenant_id, seq, id, date, type, description, client_id, client_name, ip, user_agent, details)
    SELECT tenant_id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY date, id), id, date, type, description, client_id, client_name, ip, user_agent, details
    FROM log_events;
  DROP TABLE log_events;
  ALTER TABLE log_events_numbered RENAME TO log_events;
  CREATE UNIQUE INDEX log_events_tenant_id ON log_events(tenant_id, id);
  CREATE INDEX log_events_tenant_date ON log_events(tenant_id, date, seq);
  CREATE TABLE log_sequences (
    tenant_id TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
  );
  INSERT INTO log_sequences (tenant_id, last_seq) SELECT tenant_id, MAX(seq) FROM log_events GROUP BY tenant_id;
  `,
  // 9: tenant signing keys rotate as on Auth0 (next → current → previous → revoked) and each
  // carries a self-signed certificate for JWKS x5c and the signing-key API. Keys made before
  // this get their certificate, and each tenant its next key, from SigningKeyStore.upkeep at
  // start-up (SQL cannot make RSA keys).
  `
  ALTER TABLE signing_keys ADD COLUMN cert_der TEXT;
  ALTER TABLE signing_keys ADD COLUMN current_since BIGINT;
  ALTER TABLE signing_keys ADD COLUMN current_until BIGINT;
  ALTER TABLE signing_keys ADD COLUMN revoked_at BIGINT;
  UPDATE signing_keys SET current_since = created_at WHERE status = 'current';
  CREATE INDEX signing_keys_tenant_status ON signing_keys(tenant_id, status)
  `,
  // 10: refresh tokens (authorization code flow). Only each token's SHA-256 is stored; tokens
  // descending from one authorization code share a family, revoked together on reuse.
  `
  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    audience TEXT,
    sid TEXT,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    parent_hash TEXT,
    rotated_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX refresh_tokens_family ON refresh_tokens(tenant_id, family_id);
  CREATE INDEX refresh_tokens_parent ON refresh_tokens(tenant_id, parent_hash);
  CREATE INDEX refresh_tokens_user ON refresh_tokens(tenant_id, user_id);
  CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at)
  `,
  // 11: a tenant's users (its one database connection, Username-Password-Authentication) and
  // their sign-in attempt counters. The key is (tenant, user_id): a custom user_id is chosen by
  // the caller, and one taken on another tenant must not be refused (that would tell the caller
  // it exists there). Emails are unique per tenant by their trimmed, lower-cased key. Counters
  // are per tenant as well, so one tenant's failed sign-ins never hold back another's users.
  `
  CREATE TABLE users (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    connection TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    email_verified INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    nickname TEXT NOT NULL,
    blocked INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    user_metadata TEXT NOT NULL DEFAULT '{}',
    app_metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login BIGINT,
    last_ip TEXT,
    logins_count INTEGER NOT NULL DEFAULT 0,
    password_changed_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
  );
  CREATE UNIQUE INDEX users_tenant_email ON users(tenant_id, email_key);
  CREATE INDEX users_tenant_created ON users(tenant_id, created_at, user_id);
  CREATE TABLE user_sign_in_throttle (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    count INTEGER NOT NULL,
    last_at BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
  );
  CREATE INDEX user_sign_in_throttle_last_at ON user_sign_in_throttle(last_at)
  `,
  // 12: browser sign-in (authorization code flow). Login sessions give single sign-on across a
  // tenant's applications; a login transaction holds a validated /authorize request while the
  // user signs in; authorization codes are single use (used_at) and remember the token family
  // issued from them so a replay can revoke it; pushed authorization requests (RFC 9126) wait
  // for their one /authorize. Every secret (cookie token, code, request_uri) is stored only as
  // its SHA-256 digest, and every row names its tenant.
  `
  CREATE TABLE login_sessions (
    id_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    sid TEXT NOT NULL,
    user_id TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_ids TEXT NOT NULL DEFAULT '[]'
  );
  CREATE UNIQUE INDEX login_sessions_sid ON login_sessions(tenant_id, sid);
  CREATE INDEX login_sessions_user ON login_sessions(tenant_id, user_id);
  CREATE INDEX login_sessions_expiry ON login_sessions(expires_at);
  CREATE INDEX login_sessions_idle ON login_sessions(idle_expires_at);
  CREATE TABLE login_transactions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    browser_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    authenticated_sid TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX login_transactions_expiry ON login_transactions(expires_at);
  CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    audience TEXT,
    nonce TEXT,
    code_challenge TEXT,
    sid TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    issued_family TEXT
  );
  CREATE INDEX authorization_codes_expiry ON authorization_codes(expires_at);
  CREATE TABLE pushed_authorization_requests (
    uri_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX pushed_authorization_requests_expiry ON pushed_authorization_requests(expires_at)
  `,
  // 13: a client's grants, read whenever its authentication view is loaded, found by the client
  // itself. Without this SQLite walked the tenant's whole (tenant, created_at) index to keep the
  // order: with 100,000 clients every first token of a client read 100,000 grants.
  `
  CREATE INDEX client_grants_client ON client_grants(tenant_id, client_id, created_at, id)
  `,
];

/** The schema version this code expects: the number of migrations it knows. */
export const LATEST_VERSION = MIGRATIONS.length;

/** What one `migrate` call did: the version found, the version left, and the migrations it applied. */
export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

/**
 * The database was migrated by a newer Signet than this one. Running on it could write rows
 * that newer code reads wrongly (or fail on columns it does not know), so start-up and
 * `signet migrate` stop here and name both versions.
 */
export class SchemaNewerError extends Error {
  readonly code = 'schema_newer';
  constructor(readonly databaseVersion: number, readonly codeVersion: number) {
    super(
      `The database schema is at version ${databaseVersion}, newer than this Signet knows (version ${codeVersion}): ` +
        'a newer Signet has migrated it. Run that version (or a later one), or restore a backup taken before the upgrade.',
    );
    this.name = 'SchemaNewerError';
  }
}

/** The highest applied migration, 0 for an empty database (no schema_migrations table yet). */
export async function schemaVersion(q: Queryable): Promise<number> {
  const table =
    q.dialect === 'postgres'
      ? await q.get<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`)
      : await q.get<{ t: string }>(`SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`);
  if (!table?.t) return 0;
  const row = await q.get<{ v: number | string | null }>(`SELECT MAX(version) AS v FROM schema_migrations`);
  return Number(row?.v ?? 0);
}

/** The advisory lock that serialises migrations across processes on PostgreSQL (any fixed number; this one is RFC 7523's). */
const MIGRATION_LOCK = 7523;

/**
 * Applies every migration not yet applied (up to version `upTo`: upgrade tests start from an
 * older schema), all in ONE transaction: a failure anywhere leaves the database as it was, at
 * its old version, never half-way between two. DDL is transactional on both databases.
 *
 * Several processes may start at once (workers, nodes): on PostgreSQL a transaction-scoped
 * advisory lock makes the others wait, then find nothing left to do; SQLite's BEGIN IMMEDIATE
 * takes the write lock (others wait up to the busy timeout). A database already up to date is
 * recognised without taking any lock, so an ordinary start does not queue behind a migration.
 * A database newer than the code is refused (SchemaNewerError), before anything is written.
 */
export async function migrate(db: Db, upTo = MIGRATIONS.length, migrations: readonly string[] = MIGRATIONS): Promise<MigrationReport> {
  const target = Math.min(upTo, migrations.length);
  const seen = await schemaVersion(db);
  if (seen > migrations.length) throw new SchemaNewerError(seen, migrations.length);
  if (seen >= target) return { from: seen, to: seen, applied: [] };
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    // Read again under the lock: another process may have migrated while this one waited.
    const from = await schemaVersion(tx);
    if (from > migrations.length) throw new SchemaNewerError(from, migrations.length);
    const applied: number[] = [];
    const now = Date.now();
    for (let version = from + 1; version <= target; version++) {
      for (const stmt of migrations[version - 1]!.split(';').map((s) => s.trim()).filter(Boolean)) await tx.run(stmt);
      await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [version, now]);
      applied.push(version);
    }
    return { from, to: Math.max(from, target), applied };
  });
}
