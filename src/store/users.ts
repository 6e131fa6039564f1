import type { Db, Param } from './sql/db.ts';
import { pagedQuery, type PageRequest } from './paging.ts';
import { SignInThrottleCounters } from './sign-in-throttle.ts';
import type { UserCondition } from '../domain/user-query.ts';

/** A tenant user as stored. `passwordHash` never leaves the service layer. */
export interface StoredUser {
  tenantId: string;
  userId: string;
  connection: string;
  email: string;
  emailKey: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  blocked: boolean;
  passwordHash: string;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastLogin: number | null;
  lastIp: string | null;
  loginsCount: number;
  passwordChangedAt: number;
}

interface Row {
  tenant_id: string;
  user_id: string;
  connection: string;
  email: string;
  email_key: string;
  email_verified: number;
  name: string;
  nickname: string;
  blocked: number;
  password_hash: string;
  user_metadata: string;
  app_metadata: string;
  created_at: number;
  updated_at: number;
  last_login: number | null;
  last_ip: string | null;
  logins_count: number;
  password_changed_at: number;
}

const toUser = (r: Row): StoredUser => ({
  tenantId: r.tenant_id,
  userId: r.user_id,
  connection: r.connection,
  email: r.email,
  emailKey: r.email_key,
  emailVerified: Number(r.email_verified) === 1,
  name: r.name,
  nickname: r.nickname,
  blocked: Number(r.blocked) === 1,
  passwordHash: r.password_hash,
  userMetadata: JSON.parse(r.user_metadata),
  appMetadata: JSON.parse(r.app_metadata),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  lastLogin: r.last_login === null ? null : Number(r.last_login),
  lastIp: r.last_ip,
  loginsCount: Number(r.logins_count),
  passwordChangedAt: Number(r.password_changed_at),
});

export type UserPatch = Partial<
  Pick<StoredUser, 'email' | 'emailKey' | 'emailVerified' | 'name' | 'nickname' | 'blocked' | 'passwordHash' | 'userMetadata' | 'appMetadata' | 'passwordChangedAt'>
>;

const PATCH_COLUMNS: Record<keyof UserPatch, string> = {
  email: 'email',
  emailKey: 'email_key',
  emailVerified: 'email_verified',
  name: 'name',
  nickname: 'nickname',
  blocked: 'blocked',
  passwordHash: 'password_hash',
  userMetadata: 'user_metadata',
  appMetadata: 'app_metadata',
  passwordChangedAt: 'password_changed_at',
};

const toParam = (v: unknown): Param => (typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as Param));

/** The order of a user list: creation time or email, each either way (the user id breaks ties). */
export type UserSort = { by: 'created_at' | 'email'; desc: boolean };

const TEXT_COLUMN = { email: 'email_key', name: 'LOWER(name)', nickname: 'LOWER(nickname)' } as const;

/** LIKE with `\` as escape: the literal part's own `%`, `_` and `\` are escaped, on both databases. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A tenant's users (its database connection) and their sign-in counters. Every statement is
 * filtered by tenant: a user id of one tenant finds nothing on another.
 */
export class UserStore {
  readonly throttle: SignInThrottleCounters;

  constructor(private readonly db: Db) {
    this.throttle = new SignInThrottleCounters(db, 'user_sign_in_throttle');
  }

  /** Returns false when the tenant already has a user with that email key or user id. */
  async insert(u: StoredUser): Promise<boolean> {
    const r = await this.db.run(
      `INSERT INTO users (tenant_id, user_id, connection, email, email_key, email_verified, name, nickname, blocked, password_hash,
         user_metadata, app_metadata, created_at, updated_at, last_login, last_ip, logins_count, password_changed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        u.tenantId, u.userId, u.connection, u.email, u.emailKey, u.emailVerified ? 1 : 0, u.name, u.nickname, u.blocked ? 1 : 0,
        u.passwordHash, JSON.stringify(u.userMetadata), JSON.stringify(u.appMetadata), u.createdAt, u.updatedAt, u.lastLogin, u.lastIp,
        u.loginsCount, u.passwordChangedAt,
      ],
    );
    return r.changes > 0;
  }

  async get(tenantId: string, userId: string): Promise<StoredUser | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM users WHERE tenant_id = ? AND user_id = ?`, [tenantId, userId]);
    return r && toUser(r);
  }

  async byEmailKey(tenantId: string, emailKey: string): Promise<StoredUser | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM users WHERE tenant_id = ? AND email_key = ?`, [tenantId, emailKey]);
    return r && toUser(r);
  }

  /** One page of the tenant's users matching every condition; `total` counts every match. */
  async page(tenantId: string, conditions: readonly UserCondition[], sort: UserSort, page: PageRequest, opts: { total: boolean }): Promise<{ users: StoredUser[]; total?: number }> {
    const where = ['tenant_id = ?'];
    const params: Param[] = [tenantId];
    for (const c of conditions) {
      if (c.kind === 'user_id') {
        where.push('user_id = ?');
        params.push(c.value);
      } else if (c.kind === 'flag') {
        where.push(`${c.field} = ?`);
        params.push(c.value ? 1 : 0);
      } else {
        const value = c.value.toLowerCase();
        if (c.match === 'exact') {
          where.push(`${TEXT_COLUMN[c.field]} = ?`);
          params.push(c.field === 'email' ? value.trim() : value);
        } else {
          where.push(`${TEXT_COLUMN[c.field]} LIKE ? ESCAPE '\\'`);
          params.push(c.match === 'prefix' ? `${likeLiteral(value)}%` : `%${likeLiteral(value)}`);
        }
      }
    }
    const q = pagedQuery('users', where, params, page, { created: sort.by === 'email' ? 'email_key' : 'created_at', id: 'user_id', desc: sort.desc });
    const rows = await this.db.all<Row>(q.select, q.selectParams);
    const total = opts.total ? Number((await this.db.get<{ n: number }>(q.count, q.countParams))?.n ?? 0) : undefined;
    return { users: rows.map(toUser), ...(total !== undefined && { total }) };
  }

  /**
   * Applies `patch`; returns the user as written, undefined when there is no such user, or
   * 'email_taken' when the new email key belongs to another user of the tenant.
   */
  async update(tenantId: string, userId: string, patch: UserPatch, now: number): Promise<StoredUser | undefined | 'email_taken'> {
    const sets: string[] = [];
    const params: Param[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof UserPatch, unknown][]) {
      if (v === undefined) continue;
      sets.push(`${PATCH_COLUMNS[k]} = ?`);
      params.push(toParam(v));
    }
    sets.push('updated_at = ?');
    params.push(now, tenantId, userId);
    const write = this.db.transaction(async (tx) => {
      if (patch.emailKey !== undefined) {
        const other = await tx.get<{ user_id: string }>(`SELECT user_id FROM users WHERE tenant_id = ? AND email_key = ? AND user_id <> ?`, [tenantId, patch.emailKey, userId]);
        if (other) return 'email_taken' as const;
      }
      const r = await tx.run(`UPDATE users SET ${sets.join(', ')} WHERE tenant_id = ? AND user_id = ?`, params);
      if (r.changes === 0) return undefined;
      const row = await tx.get<Row>(`SELECT * FROM users WHERE tenant_id = ? AND user_id = ?`, [tenantId, userId]);
      return row && toUser(row);
    });
    // Two updates racing to one email: the unique index refuses the second.
    return write.catch((err: { code?: string }) => {
      if (patch.emailKey !== undefined && (err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE')) return 'email_taken' as const;
      throw err;
    });
  }

  /** Records a successful sign-in. */
  async recordLogin(tenantId: string, userId: string, at: number, ip: string): Promise<StoredUser | undefined> {
    await this.db.run(`UPDATE users SET last_login = ?, last_ip = ?, logins_count = logins_count + 1 WHERE tenant_id = ? AND user_id = ?`, [at, ip, tenantId, userId]);
    return this.get(tenantId, userId);
  }

  async delete(tenantId: string, userId: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM users WHERE tenant_id = ? AND user_id = ?`, [tenantId, userId])).changes > 0;
  }
}
