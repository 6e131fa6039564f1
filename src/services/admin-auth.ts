import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Store, Admin } from '../store/index.ts';
import { ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UnauthorizedError } from '../domain/errors.ts';
import { checkNewPassword, dummyPasswordHash, hashPassword, verifyPassword } from '../domain/password-hash.ts';
import { newAdminId, newSessionToken } from '../domain/ids.ts';

/** Absolute session lifetime, and the idle time after which a session ends. */
export const SESSION_TTL_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;
/** last_seen_at is written at most this often per session (a write per request would be waste). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Sign-in throttling over a sliding window, counted in the database so every worker and node
 * sees the same numbers: a few guesses per (account, IP), more per IP (one host spraying
 * accounts), and a ceiling per account (many hosts guessing one password). While limited, the
 * password is not even checked, so the limit cannot be used as an oracle.
 */
const WINDOW_MS = 15 * 60_000;
const LIMITS = { accountIp: 5, ip: 20, account: 50 } as const;

export interface SignedIn {
  admin: Admin;
  /** The cookie value. Never stored: the database holds its SHA-256 digest. */
  token: string;
  csrfToken: string;
}

export type SignInOutcome = 'success' | 'unknown_email' | 'wrong_password' | 'throttled';

/** Platform admins of the dashboard: accounts, password sign-in, sessions and their CSRF tokens. */
export class AdminAuth {
  constructor(private readonly store: Store, private readonly masterKey: Buffer) {}

  async create(emailInput: string, password: string): Promise<Admin> {
    const email = normaliseEmail(emailInput);
    checkNewPassword(password);
    const admin: Admin = { id: newAdminId(), email, passwordHash: await hashPassword(password), createdAt: Date.now() };
    if (!(await this.store.admins.insert(admin))) throw new ConflictError('admin_exists', `An admin with the email ${email} already exists.`);
    return admin;
  }

  async setPassword(emailInput: string, password: string): Promise<void> {
    const email = normaliseEmail(emailInput);
    checkNewPassword(password);
    const admin = await this.store.admins.byEmail(email);
    if (!admin) throw new NotFoundError('admin_not_found', `No admin with the email ${email}.`);
    await this.store.admins.setPassword(admin.id, await hashPassword(password));
  }

  async delete(emailInput: string): Promise<void> {
    const admin = await this.store.admins.byEmail(normaliseEmail(emailInput));
    if (!admin || !(await this.store.admins.delete(admin.id))) throw new NotFoundError('admin_not_found', `No admin with the email ${emailInput}.`);
  }

  list(): Promise<Admin[]> {
    return this.store.admins.list();
  }

  /**
   * Checks the password and opens a session. `onOutcome` learns what happened (for the log
   * event) while the caller only ever sees one "wrong email or password" message.
   */
  async signIn(emailInput: string, password: string, ip: string, now: number, onOutcome: (o: SignInOutcome, email: string) => void): Promise<SignedIn> {
    const email = typeof emailInput === 'string' ? emailInput.trim().toLowerCase().slice(0, 254) : '';
    const keys = { accountIp: `a:${email}|${ip}`, ip: `i:${ip}`, account: `a:${email}` };
    const since = now - WINDOW_MS;
    const [accountIp, byIp, byAccount] = await Promise.all([
      this.store.admins.failuresSince(keys.accountIp, since),
      this.store.admins.failuresSince(keys.ip, since),
      this.store.admins.failuresSince(keys.account, since),
    ]);
    if (accountIp >= LIMITS.accountIp || byIp >= LIMITS.ip || byAccount >= LIMITS.account) {
      onOutcome('throttled', email);
      throw new RateLimitedError('too_many_attempts', 'Too many sign-in attempts. Wait 15 minutes, then try again.', WINDOW_MS / 1000);
    }
    const admin = email ? await this.store.admins.byEmail(email) : undefined;
    // Unknown emails cost a full scrypt too, so response time does not say which emails exist.
    const ok = await verifyPassword(String(password ?? ''), admin?.passwordHash ?? (await dummyPasswordHash()));
    if (!admin || !ok) {
      await this.store.admins.recordFailure([keys.accountIp, keys.ip, keys.account], now);
      onOutcome(admin ? 'wrong_password' : 'unknown_email', email);
      throw new UnauthorizedError('invalid_credentials', 'Wrong email or password.');
    }
    await this.store.admins.clearFailures(keys.accountIp);
    const token = newSessionToken();
    await this.store.admins.createSession(digest(token), admin.id, now, now + SESSION_TTL_MS);
    onOutcome('success', email);
    return { admin, token, csrfToken: this.csrfToken(token) };
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

  async signOut(token: string): Promise<void> {
    if (typeof token === 'string' && token.length > 0) await this.store.admins.deleteSession(digest(token));
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
    await this.store.admins.purgeFailures(now - WINDOW_MS);
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

function normaliseEmail(input: string): string {
  const email = String(input ?? '').trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidInputError('invalid_email', `"${email.slice(0, 64)}" is not an email address.`, 'email');
  return email;
}
