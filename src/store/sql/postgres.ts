import pg from 'pg';
import type { Db, Param, Queryable } from './db.ts';

// BIGINT (epoch milliseconds) fits a JS number for the next 285,000 years: parse it as one.
pg.types.setTypeParser(20, (v) => Number(v));

const rewritten = new Map<string, string>();
/** `?` → `$1, $2, …` once per distinct statement (statements are constants, so this stays small). */
function toPg(sql: string): string {
  let out = rewritten.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    rewritten.set(sql, out);
  }
  return out;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly Param[] = []) {
      const r = await client.query({ text: toPg(sql), values: params as Param[] });
      return r.rows as T[];
    },
    async get<T>(sql: string, params: readonly Param[] = []) {
      const r = await client.query({ text: toPg(sql), values: params as Param[] });
      return r.rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly Param[] = []) {
      const r = await client.query({ text: toPg(sql), values: params as Param[] });
      return { changes: r.rowCount ?? 0 };
    },
  };
}

function ignoreDroppedConnection(): void {}

export function openPostgres(url: string): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.SIGNET_PG_POOL ?? 10),
    // Fail fast when the server is down or hung rather than queueing requests without bound:
    // a connection attempt gives up after 3 s and a statement after 15 s (the slowest legitimate
    // statements, log exports' pages, take well under a second).
    connectionTimeoutMillis: 3000,
    query_timeout: 15_000,
  });
  // An idle connection dropped by the server (restart, failover) must not take the process down:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`));
  const base = wrap(pool);
  return {
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      // A checked-out connection has no pool listener: the server dropping it between two
      // statements would otherwise be an unhandled 'error' event (a crash). The failed
      // statement reports it instead.
      conn.on('error', ignoreDroppedConnection);
      try {
        await conn.query('BEGIN');
        const result = await fn(wrap(conn));
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.off('error', ignoreDroppedConnection);
        conn.release();
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    poolState: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await pool.end();
    },
  };
}
