import type { Db, Param, Queryable } from './sql/db.ts';
import { boundLogDetails, boundLogString, LOG_LIMITS } from '../domain/bound-log-event.ts';
import type { LogQuery } from '../domain/log-query.ts';
import { compileLogQuery } from './sql/log-query-sql.ts';
import { ServiceUnavailableError } from '../domain/errors.ts';

export interface LogEvent {
  tenantId: string;
  type: string;
  description: string;
  clientId?: string | null;
  clientName?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** The host the request was addressed to (the tenant's domain). */
  hostname?: string | null;
  audience?: string | null;
  scope?: string | null;
  /** Who acted: for a Management API call, the calling application (`{client_id}@clients`) or the dashboard admin. */
  userId?: string | null;
  userName?: string | null;
  details?: Record<string, unknown>;
  date?: number;
}

export interface StoredLogEvent extends Required<Omit<LogEvent, 'details'>> {
  id: string;
  /** Position in the tenant's log: numbered when the event is written, in commit order. */
  seq: number;
  details: Record<string, unknown>;
}

type PendingEvent = Omit<StoredLogEvent, 'id' | 'seq'>;

/**
 * A log id is `900` then the event's number, zero-padded to Auth0's 56 digits: ids compare as
 * strings the way their numbers do, and the number comes back out of an id whose event is gone.
 */
const ID_PREFIX = '900';
const ID_DIGITS = 53;
export const logIdOf = (seq: number): string => ID_PREFIX + String(seq).padStart(ID_DIGITS, '0');
function seqOfLogId(id: string): number | undefined {
  if (id.length !== ID_PREFIX.length + ID_DIGITS || !id.startsWith(ID_PREFIX)) return undefined;
  for (let k = ID_PREFIX.length; k < id.length; k++) if (id[k]! < '0' || id[k]! > '9') return undefined;
  const n = Number(id.slice(ID_PREFIX.length));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Sort keys for search results (Auth0's `sort` field names) and their columns. */
export const LOG_SORT_COLUMNS = {
  date: 'date', log_id: 'seq', type: 'type', description: 'description', client_id: 'client_id', client_name: 'client_name',
  ip: 'ip', user_agent: 'user_agent', hostname: 'hostname', user_id: 'user_id', user_name: 'user_name',
} as const;
export type LogSortField = keyof typeof LOG_SORT_COLUMNS;

export interface LogSearch {
  query?: LogQuery;
  sort?: { field: LogSortField; descending: boolean };
  page?: number;
  perPage?: number;
  /** Also count every match (include_totals). */
  total?: boolean;
}

/** Events held in memory while the database is unreachable (about 1 KB each at most). */
const MAX_PENDING = 50_000;
const RETRY_MS = 1000;

const COLUMNS = 'tenant_id, seq, id, date, type, description, client_id, client_name, ip, user_agent, hostname, audience, scope, user_id, user_name, details';

/**
 * Tenant log events. Writes are buffered and flushed in one transaction every few
 * milliseconds: the token endpoint records an event per request, and a write per request
 * would halve its throughput. Reads flush first, so a node always sees its own events.
 *
 * Each flush numbers its events from the tenant's row in log_sequences, which it updates
 * first: that row stays locked until the flush commits, so a later number is never visible
 * before an earlier one, on either database and from any number of processes. Checkpoint
 * readers (`after`) therefore never skip an event that commits late.
 */
export class LogStore {
  private buffer: PendingEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private outage = false;
  private dropped = 0;

  constructor(private readonly db: Db, private readonly flushMs = 50) {}

  /** Every string is bounded here (see bound-log-event.ts): events record unauthenticated input. */
  append(e: LogEvent): void {
    const bound = (s: string | null | undefined, max: number) => (typeof s === 'string' ? boundLogString(s, max) : null);
    this.buffer.push({
      tenantId: e.tenantId,
      type: boundLogString(e.type, 16),
      description: boundLogString(e.description, LOG_LIMITS.description),
      clientId: bound(e.clientId, LOG_LIMITS.clientId),
      clientName: bound(e.clientName, LOG_LIMITS.field),
      ip: bound(e.ip, LOG_LIMITS.field),
      userAgent: bound(e.userAgent, LOG_LIMITS.field),
      hostname: bound(e.hostname, LOG_LIMITS.field),
      audience: bound(e.audience, LOG_LIMITS.field),
      scope: bound(e.scope, LOG_LIMITS.detailString),
      userId: bound(e.userId, LOG_LIMITS.field),
      userName: bound(e.userName, LOG_LIMITS.field),
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
    const next = this.flushing.then(() => (batch.length ? this.db.transaction((tx) => this.write(tx, batch)) : undefined));
    this.flushing = next.then(
      () => {
        if (this.outage) process.emitWarning(`Log events are being written again (${this.dropped} dropped during the database outage).`);
        this.outage = false;
        this.dropped = 0;
      },
      (err) => this.keepForRetry(batch, err),
    );
    return this.flushing;
  }

  /**
   * While the database is unreachable, events wait in memory (the newest MAX_PENDING of them)
   * and are written when it is back, so an outage loses no events unless it outlasts that
   * bound. A batch refused for any other reason is dropped: retrying it would block the rest.
   */
  private keepForRetry(batch: PendingEvent[], err: unknown): void {
    if (!(err instanceof ServiceUnavailableError)) {
      process.emitWarning(`Could not write ${batch.length} log events: ${(err as Error).message}`);
      return;
    }
    if (!this.outage) process.emitWarning(`Log events are held in memory until the database is back: ${err.message}`);
    this.outage = true;
    this.buffer = batch.concat(this.buffer);
    const over = this.buffer.length - MAX_PENDING;
    if (over > 0) {
      this.buffer.splice(0, over);
      this.dropped += over;
    }
    // Unref'd: a process shutting down while the database is away is not kept alive by it.
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), RETRY_MS).unref();
  }

  /** Events waiting to be written (buffered, or held during an outage). */
  get pending(): number {
    return this.buffer.length;
  }

  private async write(tx: Queryable, batch: PendingEvent[]): Promise<void> {
    const byTenant = new Map<string, PendingEvent[]>();
    for (const e of batch) {
      const list = byTenant.get(e.tenantId);
      if (list) list.push(e);
      else byTenant.set(e.tenantId, [e]);
    }
    // Tenants in a fixed order: two flushes never wait on each other's counters crosswise.
    for (const tenantId of [...byTenant.keys()].sort()) {
      const events = byTenant.get(tenantId)!;
      const row = await tx.get<{ last_seq: number | string }>(
        `INSERT INTO log_sequences (tenant_id, last_seq) VALUES (?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = log_sequences.last_seq + excluded.last_seq RETURNING last_seq`,
        [tenantId, events.length],
      );
      let seq = Number(row!.last_seq) - events.length;
      for (let i = 0; i < events.length; i += 100) {
        const chunk = events.slice(i, i + 100);
        const params: Param[] = [];
        for (const e of chunk) {
          seq += 1;
          params.push(tenantId, seq, logIdOf(seq), e.date, e.type, e.description, e.clientId, e.clientName, e.ip, e.userAgent, e.hostname, e.audience, e.scope, e.userId, e.userName, JSON.stringify(e.details));
        }
        await tx.run(`INSERT INTO log_events (${COLUMNS}) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, params);
      }
    }
  }

  async get(tenantId: string, id: string): Promise<StoredLogEvent | undefined> {
    await this.flush();
    const r = await this.db.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM log_events WHERE tenant_id = ? AND id = ?`, [tenantId, id]);
    return r && toEvent(r);
  }

  /**
   * The position of checkpoint `from` in the tenant's log: that of the event with this id, or
   * the number inside an id whose event retention has removed. Undefined when `from` is no id
   * this tenant's log has reached (a reader could only wait forever past it).
   */
  async checkpoint(tenantId: string, from: string): Promise<number | undefined> {
    await this.flush();
    const r = await this.db.get<{ seq: number | string }>(`SELECT seq FROM log_events WHERE tenant_id = ? AND id = ?`, [tenantId, from]);
    if (r) return Number(r.seq);
    const seq = seqOfLogId(from);
    if (seq === undefined) return undefined;
    const last = await this.db.get<{ last_seq: number | string }>(`SELECT last_seq FROM log_sequences WHERE tenant_id = ?`, [tenantId]);
    return seq <= Number(last?.last_seq ?? 0) ? seq : undefined;
  }

  /** Up to `take` events after position `after` (0: from the start), in log order. */
  async after(tenantId: string, after: number, take: number): Promise<StoredLogEvent[]> {
    await this.flush();
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM log_events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [tenantId, after, take],
    );
    return rows.map(toEvent);
  }

  /** One page of the events matching `search`, newest first unless sorted otherwise; `total` counts every match when asked. */
  async search(tenantId: string, search: LogSearch = {}): Promise<{ events: StoredLogEvent[]; total?: number }> {
    await this.flush();
    let where = 'tenant_id = ?';
    const params: Param[] = [tenantId];
    if (search.query) {
      const c = compileLogQuery(search.query, this.db.dialect);
      where += ` AND ${c.sql}`;
      params.push(...c.params);
    }
    const { field, descending } = search.sort ?? { field: 'date', descending: true };
    const dir = descending ? 'DESC' : 'ASC';
    const column = LOG_SORT_COLUMNS[field];
    // Ties (and NULLs, which the databases place differently) are broken by log order.
    const order = column === 'seq' ? `seq ${dir}` : `${column} IS NULL ${dir}, ${column} ${dir}, seq ${dir}`;
    const perPage = search.perPage ?? 50;
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM log_events WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...params, perPage, (search.page ?? 0) * perPage],
    );
    const events = rows.map(toEvent);
    if (!search.total) return { events };
    const count = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM log_events WHERE ${where}`, params);
    return { events, total: Number(count!.n) };
  }

  /** A tenant's newest events, optionally of one client and type (tools and tests). */
  async list(tenantId: string, filter: { clientId?: string; type?: string; perPage?: number } = {}): Promise<StoredLogEvent[]> {
    const text = (field: 'client_id' | 'type', value: string): LogQuery => ({ kind: 'text', fields: [field], pattern: { kind: 'exact', value } });
    const items = [...(filter.clientId ? [text('client_id', filter.clientId)] : []), ...(filter.type ? [text('type', filter.type)] : [])];
    const query: LogQuery | undefined = items.length === 0 ? undefined : items.length === 1 ? items[0] : { kind: 'and', items };
    return (await this.search(tenantId, { ...(query && { query }), perPage: filter.perPage ?? 50 })).events;
  }

  /**
   * Deletes at most `limit` of one tenant's events older than `before` (epoch ms), oldest
   * first; returns how many. One bounded statement at a time, so a large purge never holds
   * the write lock (SQLite) or a long transaction (PostgreSQL) while requests wait to log.
   */
  async deleteOlderThan(tenantId: string, before: number, limit: number): Promise<number> {
    const r = await this.db.run(
      `DELETE FROM log_events WHERE tenant_id = ? AND seq IN (SELECT seq FROM log_events WHERE tenant_id = ? AND date < ? ORDER BY date LIMIT ?)`,
      [tenantId, tenantId, before, limit],
    );
    return r.changes;
  }

  /**
   * The (date, seq) of the newest event past the `keep` newest of a tenant, in list order (date,
   * then log order, descending), or undefined when the tenant has at most `keep` events.
   */
  async firstBeyond(tenantId: string, keep: number): Promise<{ date: number; seq: number } | undefined> {
    const r = await this.db.get<{ date: number; seq: number }>(
      `SELECT date, seq FROM log_events WHERE tenant_id = ? ORDER BY date DESC, seq DESC LIMIT 1 OFFSET ?`,
      [tenantId, keep],
    );
    return r && { date: Number(r.date), seq: Number(r.seq) };
  }

  /** Deletes at most `limit` of one tenant's events at or before `edge` in list order; returns how many. */
  async deleteThrough(tenantId: string, edge: { date: number; seq: number }, limit: number): Promise<number> {
    const r = await this.db.run(
      `DELETE FROM log_events WHERE tenant_id = ? AND seq IN (
         SELECT seq FROM log_events WHERE tenant_id = ? AND (date < ? OR (date = ? AND seq <= ?)) ORDER BY date LIMIT ?)`,
      [tenantId, tenantId, edge.date, edge.date, edge.seq, limit],
    );
    return r.changes;
  }
}

const str = (v: unknown) => (v as string | null | undefined) ?? null;
const toEvent = (r: Record<string, unknown>): StoredLogEvent => ({
  id: r.id as string,
  seq: Number(r.seq),
  tenantId: r.tenant_id as string,
  date: Number(r.date),
  type: r.type as string,
  description: r.description as string,
  clientId: str(r.client_id),
  clientName: str(r.client_name),
  ip: str(r.ip),
  userAgent: str(r.user_agent),
  hostname: str(r.hostname),
  audience: str(r.audience),
  scope: str(r.scope),
  userId: str(r.user_id),
  userName: str(r.user_name),
  details: JSON.parse(r.details as string),
});
