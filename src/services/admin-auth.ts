import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store, Admin } from '../store/index.ts';
import type { PlatformAuditEvent } from '../store/platform-audit.ts';
import { ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UnauthorizedError } from '../domain/errors.ts';
import { checkNewPassword, hashPassword, verifyPassword } from '../domain/password-hash.ts';
import { afterSuccess, decideAttempts, SIGN_IN_POLICIES, signInThrottleKeys } from '../domain/sign-in-throttle.ts';
import { addressKey } from '../domain/address-key.ts';
import { newAdminId, newSessionToken } from '../domain/ids.ts';
import { PasswordHasher } from './password-hasher.ts';
import { ConcurrencyGate } from './concurrency-gate.ts';

/** Absolute session lifetime, and the idle time after which a session ends. */
export const SESSION_TTL_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;
/** last_seen_at is written at most this often per session (a write per request would be waste). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Password checks running or waiting in this process, and per client address. One hashing
 * thread takes ~0.7 s a check, so four in flight wait at most a few seconds; one per address
 * means a single host cannot queue guesses at all. Beyond that, sign-in answers 429 at once.
 */
export const SIGN_IN_CONCURRENCY = { total: 4, perAddress: 1 } as const;

export interface SignedIn {
  admin: Admin;
  /** The cookie value. Never stored: the database holds its SHA-256 digest. */
  token: string;
  csrfToken: string;
}

/** Who is signing in, for throttling and the platform audit log. */
export interface SignInClient {
  ip: string;
  userAgent?: string | null;
}

/** Platform admins of the dashboard: accounts, password sign-in, sessions and their CSRF tokens. */
export class AdminAuth {
  private readonly gate = new ConcurrencyGate(SIGN_IN_CONCURRENCY.total, SIGN_IN_CONCURRENCY.perAddress);
  private dummyHash?: Promise<string>;

  /** Where passwords are hashed: a dedicated worker thread, never the pool that signs tokens. */
  readonly hasher: PasswordHasher;
  /** Whether close() ends the hasher (a hasher passed in is its giver's to close). */
  private readonly ownsHasher: boolean;

  constructor(
    private readonly store: Store,
    private readonly masterKey: Buffer,
    hasher?: PasswordHasher,
  ) {
    this.hasher = hasher ?? new PasswordHasher();
    this.ownsHasher = hasher === undefined;
  }

  async create(emailInput: string, password: string, via: PlatformAuditEvent['via'] = 'cli'): Promise<Admin> {
    const email = normaliseEmail(emailInput);
    checkNewPassword(password);
    const admin: Admin = { id: newAdminId(), email, passwordHash: await hashPassword(password, this.hasher.derive), createdAt: Date.now() };
    if (!(await this.store.admins.insert(admin))) throw new ConflictError('admin_exists', `An admin with the email ${email} already exists.`);
    await this.store.platformAudit.append({ type: 'admin_created', email, via });
    return admin;
  }

  async setPassword(emailInput: string, password: string, via: PlatformAuditEvent['via'] = 'cli'): Promise<void> {
    const email = normaliseEmail(emailInput);
    checkNewPassword(password);
    const admin = await this.store.admins.byEmail(email);
    if (!admin) throw new NotFoundError('admin_not_found', `No admin with the email ${email}.`);
    await this.store.admins.setPassword(admin.id, await hashPassword(password, this.hasher.derive));
    await this.store.platformAudit.append({ type: 'admin_password_changed', email, via });
  }

  async delete(emailInput: string, via: PlatformAuditEvent['via'] = 'cli'): Promise<void> {
    const admin = await this.store.admins.byEmail(normaliseEmail(emailInput));
    if (!admin || !(await this.store.admins.delete(admin.id))) throw new NotFoundError('admin_not_found', `No admin with the email ${emailInput}.`);
    await this.store.platformAudit.append({ type: 'admin_deleted', email: admin.email, via });
  }

  list(): Promise<Admin[]> {
    return this.store.admins.list();
  }

  /**
   * Checks the password and opens a session; the caller only ever sees one "wrong email or
   * password" message, while the platform audit log records what happened. In order: a place
   * among the password checks in flight (else 429 at once), then the attempt is counted under
   * every throttle key in one transaction (else 429 with the wait), and only then is the
   * password checked, so no burst of guesses, however concurrent, is checked past a limit.
   */
  async signIn(emailInput: string, password: string, client: SignInClient, now: number): Promise<SignedIn> {
    const email = typeof emailInput === 'string' ? emailInput.trim().toLowerCase().slice(0, 254) : '';
    const address = addressKey(client.ip);
    const release = this.gate.enter(address);
    if (!release) {
      throw new RateLimitedError('sign_in_busy', 'Another sign-in is being checked. Try again in a few seconds.', 2);
    }
    const audit = (e: Pick<PlatformAuditEvent, 'type' | 'reason'>) =>
      this.store.platformAudit.append({ ...e, email: email || null, ip: client.ip, userAgent: client.userAgent ?? null, via: 'dashboard', date: now });
    try {
      const policies = signInThrottleKeys(email, address);
      const reserved = await this.store.admins.reserveAttempt([...policies.keys()], (states) => decideAttempts(policies, states, now));
      if (!reserved.ok) {
        await audit({ type: 'sign_in_failed', reason: 'too_many_attempts' });
        const seconds = Math.max(1, Math.ceil(reserved.retryAfterMs / 1000));
        throw new RateLimitedError('too_many_attempts', `Too many sign-in attempts. Try again in ${humanWait(seconds)}.`, seconds);
      }
      const admin = email ? await this.store.admins.byEmail(email) : undefined;
      // Unknown emails cost a full scrypt too, so response time does not say which emails exist.
      const stored = admin?.passwordHash ?? (await (this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.hasher.derive)));
      const ok = await verifyPassword(String(password ?? ''), stored, this.hasher.derive);
      if (!admin || !ok) {
        await audit({ type: 'sign_in_failed', reason: admin ? 'wrong_password' : 'unknown_email' });
        throw new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
      }
      await this.store.admins.settleAttempt([...policies.keys()], (key, state) => afterSuccess(state, policies.get(key)!));
      const token = newSessionToken();
      await this.store.admins.createSession(digest(token), admin.id, now, now + SESSION_TTL_MS);
      await audit({ type: 'sign_in' });
      return { admin, token, csrfToken: this.csrfToken(token) };
    } finally {
      release();
    }
  }

  /** The session's admin, or undefined when the token is unknown, expired or idle too long (then it is deleted). */
  async session(token: string, now: number): Promise<{ admin: Admin; csrfToken: string } | undefined> {
    if (typeof token !== 'string' || token.length !== 43) return undefined;
    const id = digest(token);
    const s = await this.store.admins.session(id);
    if (!s) return undefined;
    if (s.expiresAt <= now || s.lastSeenAt + SESSION_IDLE_MS <= now) {
      await this.store.admins.deleteSession(id);
      return undefined;
    }
    if (now - s.lastSeenAt > TOUCH_EVERY_MS) await this.store.admins.touchSession(id, now);
    return { admin: s.admin, csrfToken: this.csrfToken(token) };
  }

  /** Ends the session; `client`, when given, records the sign-out in the platform audit log. */
  async signOut(token: string, client?: SignInClient & { email: string }): Promise<void> {
    if (typeof token !== 'string' || token.length === 0) return;
    await this.store.admins.deleteSession(digest(token));
    if (client) await this.store.platformAudit.append({ type: 'sign_out', email: client.email, ip: client.ip, userAgent: client.userAgent ?? null, via: 'dashboard' });
  }

  /**
   * The CSRF token is bound to the session (an HMAC of its token under the master key): nothing
   * extra to store, and a cross-site page can neither read the cookie nor compute it.
   */
  csrfToken(sessionToken: string): string {
    return createHmac('sha256', this.masterKey).update(`signet-dashboard-csrf\u0000${sessionToken}`).digest('base64url');
  }

  csrfMatches(sessionToken: string, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(sessionToken));
    const got = Buffer.from(presented);
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  async purge(now: number): Promise<void> {
    await this.store.admins.purgeSessions(now);
    const longest = Math.max(...Object.values(SIGN_IN_POLICIES).map((p) => p.idleResetMs));
    await this.store.admins.purgeThrottle(now - longest, now);
    await this.store.platformAudit.purge();
  }

  async close(): Promise<void> {
    if (this.ownsHasher) await this.hasher.close();
  }
}

function humanWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

function normaliseEmail(input: string): string {
  const email = String(input ?? '').trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidInputError('invalid_email', `"${email.slice(0, 64)}" is not an email address.`, 'email');
  return email;
}
