import type { Db } from './db.ts';
import { observed, type StoreObserver } from '../observed.ts';

/**
 * The database with every call timed and its failures counted, in this one place rather than
 * in each store. A transaction is reported as one operation (its statements run on the
 * transaction's own connection, inside it); `ping` is not, so readiness probes don't skew the
 * query latency an operator watches.
 */
export function observeDb(db: Db, observer: StoreObserver): Db {
  return {
    dialect: db.dialect,
    all: (sql, params) => observed(observer, 'database', 'all', () => db.all(sql, params)),
    get: (sql, params) => observed(observer, 'database', 'get', () => db.get(sql, params)),
    run: (sql, params) => observed(observer, 'database', 'run', () => db.run(sql, params)),
    transaction: (fn) => observed(observer, 'database', 'transaction', () => db.transaction(fn)),
    exec: (sql) => observed(observer, 'database', 'exec', () => db.exec(sql)),
    ping: () => db.ping(),
    ...(db.poolState && { poolState: () => db.poolState!() }),
    close: () => db.close(),
  };
}
