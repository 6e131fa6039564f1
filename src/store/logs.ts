import type { Db, Param } from './sql/db.ts';
import { newLogId } from '../domain/ids.ts';

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

  append(e: LogEvent): void {
    this.buffer.push({
      id: newLogId(),
      tenantId: e.tenantId,
      type: e.type,
      description: e.description,
      clientId: e.clientId ?? null,
      clientName: e.clientName ?? null,
      ip: e.ip ?? null,
      userAgent: e.userAgent ?? null,
      details: e.details ?? {},
      date: e.date ?? Date.now(),
    } as StoredLogEvent);
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
