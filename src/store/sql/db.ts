import { rethrowUnavailable } from '../unavailable.ts';

/**
 * The one query layer both databases sit behind. SQL is written once with `?` placeholders
 * and portable syntax (ON CONFLICT, RETURNING, BIGINT epoch-millisecond timestamps); the
 * PostgreSQL driver rewrites placeholders to `$n`.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | null | boolean;

export interface Queryable {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Executes a statement; `changes` is the number of rows inserted/updated/deleted. */
  run(sql: string, params?: readonly Param[]): Promise<{ changes: number }>;
}

export interface Db extends Queryable {
  /** Runs `fn` in one transaction: all of it commits or none of it does. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script (migrations). */
  exec(sql: string): Promise<void>;
  /** The cheapest round trip that proves the database answers (readiness checks). */
  ping(): Promise<void>;
  /** PostgreSQL only: the connection pool's state (metrics). */
  poolState?(): PoolState;
  close(): Promise<void>;
}

export interface PoolState {
  /** Open connections, idle or in use. */
  total: number;
  idle: number;
  /** Queries waiting for a connection: above zero for long means the pool is too small or the database too slow. */
  waiting: number;
}

export async function openDb(url: string): Promise<Db> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgres } = await import('./postgres.ts');
    return namingOutages(openPostgres(url));
  }
  const { openSqlite } = await import('./sqlite.ts');
  return namingOutages(openSqlite(url.replace(/^sqlite:(\/\/)?/, '')));
}

/**
 * Every statement's failure that means the database cannot be reached becomes a
 * ServiceUnavailableError naming the database (answered 503 with Retry-After), in one place
 * instead of at each caller. Other failures pass through unchanged.
 */
function namingOutages(db: Db): Db {
  const fail = (err: unknown): never => rethrowUnavailable('database', err);
  return {
    dialect: db.dialect,
    all: <T>(sql: string, params?: readonly Param[]) => db.all<T>(sql, params).catch(fail),
    get: <T>(sql: string, params?: readonly Param[]) => db.get<T>(sql, params).catch(fail),
    run: (sql, params) => db.run(sql, params).catch(fail),
    transaction: (fn) => db.transaction(fn).catch(fail),
    exec: (sql) => db.exec(sql).catch(fail),
    ping: () => db.ping().catch(fail),
    ...(db.poolState && { poolState: () => db.poolState!() }),
    close: () => db.close(),
  };
}
