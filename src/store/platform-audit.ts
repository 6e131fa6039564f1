import type { Db } from './sql/db.ts';
import { newLogId } from '../domain/ids.ts';

/** What happened to a platform admin account. */
export type PlatformAuditType = 'sign_in' | 'sign_in_failed' | 'sign_out' | 'admin_created' | 'admin_password_changed' | 'admin_deleted';

export interface PlatformAuditEvent {
  type: PlatformAuditType;
  /** The admin account concerned: for a failed sign-in, the email that was typed. */
  email: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Why a sign-in failed (`wrong_password`, `unknown_email`, `too_many_attempts`). */
  reason?: string | null;
  /** Where it came from: `dashboard` or `cli`. */
  via: 'dashboard' | 'cli';
  date?: number;
}

export interface StoredPlatformAuditEvent extends Required<PlatformAuditEvent> {
  id: string;
}

/** Strings from the request are stored bounded: a hostile User-Agent must not fill the disk. */
const MAX_STRING = 256;
const bounded = (v: string | null | undefined) => (v == null ? null : v.length > MAX_STRING ? `${v.slice(0, MAX_STRING - 1)}…` : v);

/** Events kept: the newest this many (older ones are purged with the other housekeeping). */
export const PLATFORM_AUDIT_KEEP = 100_000;

/**
 * The platform audit log: admin sign-ins and account changes. It belongs to the platform, not
 * to any tenant, so no tenant's Management API can read it (a tenant seeing admin emails and
 * addresses, or which emails are admins, would be a leak). Read by `signet admins audit` and
 * the dashboard's Audit page.
 */
export class PlatformAuditStore {
  constructor(private readonly db: Db) {}

  async append(e: PlatformAuditEvent): Promise<void> {
    await this.db.run(`INSERT INTO platform_audit (id, date, type, email, ip, user_agent, reason, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      newLogId(),
      e.date ?? Date.now(),
      e.type,
      bounded(e.email),
      bounded(e.ip),
      bounded(e.userAgent),
      bounded(e.reason),
      e.via,
    ]);
  }

  /** The newest `limit` events, newest first. */
  async list(limit: number): Promise<StoredPlatformAuditEvent[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT id, date, type, email, ip, user_agent, reason, via FROM platform_audit ORDER BY date DESC, id DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      date: Number(r.date),
      type: r.type as PlatformAuditType,
      email: (r.email as string) ?? null,
      ip: (r.ip as string) ?? null,
      userAgent: (r.user_agent as string) ?? null,
      reason: (r.reason as string) ?? null,
      via: r.via as 'dashboard' | 'cli',
    }));
  }

  /** Keeps the newest `keep` events. */
  async purge(keep = PLATFORM_AUDIT_KEEP): Promise<void> {
    const edge = await this.db.get<{ date: number }>(`SELECT date FROM platform_audit ORDER BY date DESC LIMIT 1 OFFSET ?`, [keep]);
    if (edge) await this.db.run(`DELETE FROM platform_audit WHERE date <= ?`, [Number(edge.date)]);
  }
}
