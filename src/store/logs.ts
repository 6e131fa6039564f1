import type { Db, Param } from './sql/db.ts';
import { newLogId } from '../domain/ids.ts';
import { boundLogDetails, boundLogString, LOG_LIMITS } from '../domain/bound-log-event.ts';

export interface LogEvent {
  tenantId: string;
  type: string;
  description: string;
  clientId?: string | null;
  clientName?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
  date?: number;
}

export interface StoredLogEvent extends Required<Omit<LogEvent, 'details'>> {
  id: string;
  details: Record<string, unknown>;
}

/**
 * Tenant log events. Writes are buffered and flushed in one multi-row insert every few
 * milliseconds: the token endpoint records an event per request, and a write per request
 * would halve its throughput. Reads flush first, so a node always sees its own events.
 */
export class LogStore {
  private buffer: StoredLogEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db, private readonly flushMs = 50) {}

  /** Every string is bounded here (see bound-log-event.ts): events record unauthenticated input. */
  append(e: LogEvent): void {
    const bound = (s: string | null | undefined, max: number) => (typeof s === 'string' ? boundLogString(s, max) : null);
    this.buffer.push({
      id: newLogId(),
      tenantId: e.tenantId,
      type: boundLogString(e.type, 16),
      description: boundLogString(e.description, LOG_LIMITS.description),
      clientId: bound(e.clientId, LOG_LIMITS.clientId),
      clientName: bound(e.clientName, LOG_LIMITS.field),
      ip: bound(e.ip, LOG_LIMITS.field),
      userAgent: bound(e.userAgent, LOG_LIMITS.field),
      details: boundLogDetails(e.details ?? {}),
      date: e.date ?? Date.now(),
    });
    if (this.buffer.length >= 500) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.flushMs);
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.buffer;
    this.buffer = [];
    const next = this.flushing.then(() => (batch.length ? this.write(batch) : undefined));
    this.flushing = next.catch((err) => {
      process.emitWarning(`Could not write ${batch.length} log events: ${(err as Error).message}`);
    });
    return this.flushing;
  }

  private async write(batch: StoredLogEvent[]): Promise<void> {
    for (let i = 0; i < batch.length; i += 100) {
      const chunk = batch.slice(i, i + 100);
      const params: Param[] = [];
      for (const e of chunk) {
        params.push(e.id, e.tenantId, e.date, e.type, e.description, e.clientId, e.clientName, e.ip, e.userAgent, JSON.stringify(e.details));
      }
      await this.db.run(
        `INSERT INTO log_events (id, tenant_id, date, type, description, client_id, client_name, ip, user_agent, details) VALUES ${chunk
          .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .join(', ')}`,
        params,
      );
    }
  }

  async get(tenantId: string, id: string): Promise<StoredLogEvent | undefined> {
    await this.flush();
    const r = await this.db.get<Record<string, unknown>>(`SELECT * FROM log_events WHERE tenant_id = ? AND id = ?`, [tenantId, id]);
    return r && toEvent(r);
  }

  async list(tenantId: string, filter: { clientId?: string; type?: string; page?: number; perPage?: number } = {}): Promise<StoredLogEvent[]> {
    await this.flush();
    const where = ['tenant_id = ?'];
    const params: Param[] = [tenantId];
    if (filter.clientId) { where.push('client_id = ?'); params.push(filter.clientId); }
    if (filter.type) { where.push('type = ?'); params.push(filter.type); }
    const perPage = filter.perPage ?? 50;
    params.push(perPage, (filter.page ?? 0) * perPage);
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT * FROM log_events WHERE ${where.join(' AND ')} ORDER BY date DESC, id DESC LIMIT ? OFFSET ?`,
      params,
    );
    return rows.map(toEvent);
  }

  /**
   * Deletes at most `limit` of one tenant's events older than `before` (epoch ms), oldest
   * first; returns how many. One bounded statement at a time, so a large purge never holds
   * the write lock (SQLite) or a long transaction (PostgreSQL) while requests wait to log.
   */
  async deleteOlderThan(tenantId: string, before: number, limit: number): Promise<number> {
    const r = await this.db.run(
      `DELETE FROM log_events WHERE id IN (SELECT id FROM log_events WHERE tenant_id = ? AND date < ? ORDER BY date LIMIT ?)`,
      [tenantId, before, limit],
    );
    return r.changes;
  }

  /**
   * The (date, id) of the newest event past the `keep` newest of a tenant, in list order (date,
   * then id, descending), or undefined when the tenant has at most `keep` events.
   */
  async firstBeyond(tenantId: string, keep: number): Promise<{ date: number; id: string } | undefined> {
    const r = await this.db.get<{ date: number; id: string }>(
      `SELECT date, id FROM log_events WHERE tenant_id = ? ORDER BY date DESC, id DESC LIMIT 1 OFFSET ?`,
      [tenantId, keep],
    );
    return r && { date: Number(r.date), id: r.id };
  }

  /** Deletes at most `limit` of one tenant's events at or before `edge` in list order; returns how many. */
  async deleteThrough(tenantId: string, edge: { date: number; id: string }, limit: number): Promise<number> {
    const r = await this.db.run(
      `DELETE FROM log_events WHERE id IN (
         SELECT id FROM log_events WHERE tenant_id = ? AND (date < ? OR (date = ? AND id <= ?)) ORDER BY date LIMIT ?)`,
      [tenantId, edge.date, edge.date, edge.id, limit],
    );
    return r.changes;
  }
}

const toEvent = (r: Record<string, unknown>): StoredLogEvent => ({
  id: r.id as string,
  tenantId: r.tenant_id as string,
  date: Number(r.date),
  type: r.type as string,
  description: r.description as string,
  clientId: (r.client_id as string) ?? null,
  clientName: (r.client_name as string) ?? null,
  ip: (r.ip as string) ?? null,
  userAgent: (r.user_agent as string) ?? null,
  details: JSON.parse(r.details as string),
});
