import { randomBytes } from 'node:crypto';
import type { Store, StoredUser } from '../store/index.ts';
import type { UserPatch, UserSort } from '../store/users.ts';
import type { PageRequest } from '../store/paging.ts';
import { ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UserSignInError } from '../domain/errors.ts';
import { hashPassword, verifyPassword } from '../domain/password-hash.ts';
import { checkUserPassword, PASSWORD_MAX_BYTES } from '../domain/password-policy.ts';
import {
  checkConnection,
  checkMetadata,
  checkUserIdPart,
  DATABASE_CONNECTION,
  defaultName,
  defaultNickname,
  emailKey,
  mergeMetadata,
  signInEmailKey,
  type Metadata,
} from '../domain/user-profile.ts';
import type { UserCondition } from '../domain/user-query.ts';
import { afterSuccess, decideAttempts, SIGN_IN_POLICIES, signInThrottleKeys } from '../domain/sign-in-throttle.ts';
import { addressKey } from '../domain/address-key.ts';
import { newUserId, USER_ID_PROVIDER } from '../domain/ids.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { ConcurrencyGate } from './concurrency-gate.ts';

/** A tenant user, as every caller outside the store sees it: never the password hash. */
export interface User {
  userId: string;
  tenantId: string;
  connection: string;
  email: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  blocked: boolean;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastLogin: number | null;
  lastIp: string | null;
  loginsCount: number;
}

export interface CreateUserInput {
  connection: unknown;
  email: unknown;
  password: unknown;
  emailVerified?: boolean;
  /** Auth0 sends a verification email when true; Signet sends no email, so only false is accepted. */
  verifyEmail?: boolean;
  name?: string;
  nickname?: string;
  blocked?: boolean;
  userMetadata?: unknown;
  appMetadata?: unknown;
  /** The id part of a custom `user_id` (`auth0|` is added). */
  userIdPart?: unknown;
}

export interface UpdateUserInput {
  /** Required with `password`, as on Auth0; when given it must be the database connection. */
  connection?: unknown;
  password?: unknown;
  email?: unknown;
  emailVerified?: boolean;
  verifyEmail?: boolean;
  name?: string;
  nickname?: string;
  blocked?: boolean;
  /** Merged into the stored value one level deep; a null value removes its key; `{}` clears it. */
  userMetadata?: unknown;
  appMetadata?: unknown;
}

/** Who is signing in: the address is throttled, and recorded as last_ip on success. */
export interface SignInFrom {
  ip: string;
  userAgent?: string | null;
}

/**
 * Password checks (sign-in) running or waiting in this process, and per client address. The
 * hashing worker takes ~0.7 s a check, so eight in flight wait a few seconds at most; two per
 * address lets people behind one NAT sign in together while a single host cannot queue
 * guesses. Beyond that, sign-in is refused at once (RateLimitedError).
 */
export const USER_SIGN_IN_CONCURRENCY = { total: 8, perAddress: 2 } as const;
/**
 * New passwords being hashed (create, password change) in this process, and per tenant: the
 * Management API must not be able to queue hashing work ahead of every sign-in.
 */
export const USER_PASSWORD_WRITES = { total: 4, perTenant: 2 } as const;

const present = (u: StoredUser): User => ({
  userId: u.userId,
  tenantId: u.tenantId,
  connection: u.connection,
  email: u.email,
  emailVerified: u.emailVerified,
  name: u.name,
  nickname: u.nickname,
  blocked: u.blocked,
  userMetadata: u.userMetadata,
  appMetadata: u.appMetadata,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
  lastLogin: u.lastLogin,
  lastIp: u.lastIp,
  loginsCount: u.loginsCount,
});

const notFound = () => new NotFoundError('inexistent_user', 'The user does not exist.');
const exists = () => new ConflictError('auth0_idp_error', 'The user already exists.');

/**
 * A tenant's users: its one database connection (Username-Password-Authentication). Every
 * method takes the tenant id and touches only that tenant's users. Passwords are hashed with
 * scrypt on the shared dedicated hashing worker, never on libuv's pool (which signs tokens).
 */
export class UserService {
  private readonly signInGate = new ConcurrencyGate(USER_SIGN_IN_CONCURRENCY.total, USER_SIGN_IN_CONCURRENCY.perAddress);
  private readonly writeGate = new ConcurrencyGate(USER_PASSWORD_WRITES.total, USER_PASSWORD_WRITES.perTenant);
  private dummyHash?: Promise<string>;

  constructor(
    private readonly store: Store,
    /** The process's one password hasher, shared with AdminAuth. */
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The hosted login page's password check. In order, as for platform admins: a place among
   * the checks in flight (else RateLimitedError at once), then the attempt is counted under
   * the tenant's per-account, per-address and per-account-and-address counters in one
   * transaction (else RateLimitedError with the wait), and only then is the password checked;
   * an unknown email costs one scrypt too (against a dummy hash), so timing does not tell which
   * emails exist. A blocked user is told so only after the right password.
   *
   * Throws UserSignInError (`unknown_user`, `wrong_password`, `blocked`) or RateLimitedError.
   * Logging is the caller's (it knows the client and writes Auth0's fu / fp / f events).
   * On success, records last_login, last_ip and logins_count.
   */
  async signIn(tenantId: string, email: string, password: string, from: SignInFrom): Promise<User> {
    const key = signInEmailKey(email);
    const address = addressKey(from.ip);
    const release = this.signInGate.enter(address);
    if (!release) throw new RateLimitedError('sign_in_busy', 'Another sign-in is being checked. Try again in a few seconds.', 2);
    try {
      const now = this.clock();
      const policies = signInThrottleKeys(key, address);
      const reserved = await this.store.users.throttle.reserve(tenantId, [...policies.keys()], (states) => decideAttempts(policies, states, now));
      if (!reserved.ok) {
        const seconds = Math.max(1, Math.ceil(reserved.retryAfterMs / 1000));
        throw new RateLimitedError('too_many_attempts', `Too many sign-in attempts. Try again in ${humanWait(seconds)}.`, seconds);
      }
      const user = key ? await this.store.users.byEmailKey(tenantId, key) : undefined;
      const candidate = typeof password === 'string' && Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES ? password : undefined;
      // Always one scrypt: against the user's hash, or the dummy when there is no user or the
      // password cannot be anyone's (too long), so timing says nothing either way.
      const stored = user && candidate !== undefined ? user.passwordHash : await this.dummy();
      const ok = (await verifyPassword(candidate ?? randomBytes(16).toString('hex'), stored, this.hasher.derive)) && user !== undefined && candidate !== undefined;
      if (!user) throw new UserSignInError('unknown_user', 'Wrong email or password.');
      if (!ok) throw new UserSignInError('wrong_password', 'Wrong email or password.', user.userId);
      // The password was right: the attempt does not count against the account.
      await this.store.users.throttle.settle(tenantId, [...policies.keys()], (k, state) => afterSuccess(state, policies.get(k)!));
      if (user.blocked) throw new UserSignInError('blocked', 'This account is blocked.', user.userId);
      return present((await this.store.users.recordLogin(tenantId, user.userId, now, from.ip)) ?? user);
    } finally {
      release();
    }
  }

  async get(tenantId: string, userId: string): Promise<User | null> {
    const u = await this.store.users.get(tenantId, userId);
    return u ? present(u) : null;
  }

  /** Auth0's users-by-email: the tenant's users with that email (at most one: emails are unique per tenant). */
  async getByEmail(tenantId: string, email: string): Promise<User[]> {
    const u = await this.store.users.byEmailKey(tenantId, signInEmailKey(email));
    return u ? [present(u)] : [];
  }

  async list(tenantId: string, conditions: readonly UserCondition[], sort: UserSort, page: PageRequest, opts: { total: boolean }): Promise<{ users: User[]; total?: number }> {
    const r = await this.store.users.page(tenantId, conditions, sort, page, opts);
    return { users: r.users.map(present), ...(r.total !== undefined && { total: r.total }) };
  }

  async create(tenantId: string, input: CreateUserInput): Promise<User> {
    checkConnection(input.connection);
    const key = emailKey(input.email);
    const email = (input.email as string).trim();
    if (input.password === undefined) throw new InvalidInputError('invalid_body', 'Payload validation error: password is required for the database connection.', 'password');
    checkUserPassword(input.password);
    refuseVerifyEmail(input.verifyEmail);
    if (input.userIdPart !== undefined) checkUserIdPart(input.userIdPart);
    const userMetadata = input.userMetadata === undefined ? {} : checkMetadata(input.userMetadata, 'user_metadata');
    const appMetadata = input.appMetadata === undefined ? {} : checkMetadata(input.appMetadata, 'app_metadata');
    const userId = input.userIdPart === undefined ? newUserId() : `${USER_ID_PROVIDER}|${input.userIdPart}`;
    // A cheap check before the expensive hash; the insert below is what guarantees uniqueness.
    if ((await this.store.users.byEmailKey(tenantId, key)) || (await this.store.users.get(tenantId, userId))) throw exists();
    const passwordHash = await this.hashNew(tenantId, input.password);
    const now = this.clock();
    const user: StoredUser = {
      tenantId,
      userId,
      connection: DATABASE_CONNECTION,
      email,
      emailKey: key,
      emailVerified: input.emailVerified ?? false,
      name: input.name ?? defaultName(email),
      nickname: input.nickname ?? defaultNickname(email),
      blocked: input.blocked ?? false,
      passwordHash,
      userMetadata,
      appMetadata,
      createdAt: now,
      updatedAt: now,
      lastLogin: null,
      lastIp: null,
      loginsCount: 0,
      passwordChangedAt: now,
    };
    if (!(await this.store.users.insert(user))) throw exists();
    return present(user);
  }

  async update(tenantId: string, userId: string, input: UpdateUserInput): Promise<User> {
    if (input.connection !== undefined) checkConnection(input.connection);
    if (input.password !== undefined && input.connection === undefined) {
      throw new InvalidInputError('invalid_body', `connection is required to change the password: send "connection": "${DATABASE_CONNECTION}".`, 'connection');
    }
    if (input.password !== undefined) checkUserPassword(input.password);
    refuseVerifyEmail(input.verifyEmail);
    const current = await this.store.users.get(tenantId, userId);
    if (!current) throw notFound();
    const patch: UserPatch = {};
    if (input.email !== undefined) {
      patch.emailKey = emailKey(input.email);
      patch.email = (input.email as string).trim();
    }
    if (input.emailVerified !== undefined) patch.emailVerified = input.emailVerified;
    if (input.name !== undefined) patch.name = input.name;
    if (input.nickname !== undefined) patch.nickname = input.nickname;
    if (input.blocked !== undefined) patch.blocked = input.blocked;
    if (input.userMetadata !== undefined) patch.userMetadata = mergeMetadata(current.userMetadata, checkMetadataPatch(input.userMetadata, 'user_metadata'), 'user_metadata');
    if (input.appMetadata !== undefined) patch.appMetadata = mergeMetadata(current.appMetadata, checkMetadataPatch(input.appMetadata, 'app_metadata'), 'app_metadata');
    if (patch.emailKey !== undefined && patch.emailKey !== current.emailKey && (await this.store.users.byEmailKey(tenantId, patch.emailKey))) throw exists();
    if (input.password !== undefined) {
      patch.passwordHash = await this.hashNew(tenantId, input.password as string);
      patch.passwordChangedAt = this.clock();
    }
    const r = await this.store.users.update(tenantId, userId, patch, this.clock());
    if (r === 'email_taken') throw exists();
    if (!r) throw notFound();
    return present(r);
  }

  async delete(tenantId: string, userId: string): Promise<void> {
    if (!(await this.store.users.delete(tenantId, userId))) throw notFound();
  }

  /** Drops sign-in counters their policies have reset. */
  async purge(now: number): Promise<void> {
    const longest = Math.max(...Object.values(SIGN_IN_POLICIES).map((p) => p.idleResetMs));
    await this.store.users.throttle.purge(now - longest, now);
  }

  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.hasher.derive));
  }

  private async hashNew(tenantId: string, password: string): Promise<string> {
    const release = this.writeGate.enter(tenantId);
    if (!release) throw new RateLimitedError('too_many_requests', 'Too many passwords are being set at once. Try again in a second.', 1);
    try {
      return await hashPassword(password, this.hasher.derive);
    } finally {
      release();
    }
  }
}

function refuseVerifyEmail(verify: boolean | undefined): void {
  if (verify === true) {
    throw new InvalidInputError('invalid_body', 'verify_email: true is not supported: Signet sends no email. Send verify_email: false, or set email_verified.', 'verify_email');
  }
}

/** A PATCH's metadata: an object (its values may be null, to remove keys); the merged result is checked in full. */
function checkMetadataPatch(value: unknown, field: 'user_metadata' | 'app_metadata'): Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError('invalid_body', `${field} must be an object.`, field);
  return value as Metadata;
}

function humanWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
