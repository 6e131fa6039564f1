import type { Dialect, Param } from './db.ts';
import type { LogQuery, Pattern, TextField } from '../../domain/log-query.ts';

/** The log_events column behind each searchable text field. */
const COLUMN: Record<TextField, string> = {
  log_id: 'id',
  type: 'type',
  description: 'description',
  client_id: 'client_id',
  client_name: 'client_name',
  ip: 'ip',
  user_agent: 'user_agent',
  hostname: 'hostname',
  user_id: 'user_id',
  user_name: 'user_name',
};

/**
 * A parsed log query as a SQL condition on log_events with `?` placeholders; values only ever
 * travel as parameters. Every leaf is true or false, never NULL (`col IS NOT NULL AND …`), so
 * NOT means "everything else", events without the field included.
 *
 * Wildcards are case-sensitive on both databases, as Auth0's are: GLOB on SQLite (its LIKE
 * ignores ASCII case), LIKE on PostgreSQL; the literal pieces are escaped for each.
 */
export function compileLogQuery(q: LogQuery, dialect: Dialect): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const walk = (n: LogQuery): string => {
    switch (n.kind) {
      case 'and':
      case 'or':
        return `(${n.items.map(walk).join(n.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${walk(n.item)})`;
      case 'date': {
        const parts: string[] = [];
        if (n.from) parts.push(`date ${n.from.inclusive ? '>=' : '>'} ?`), params.push(n.from.ms);
        if (n.to) parts.push(`date ${n.to.inclusive ? '<=' : '<'} ?`), params.push(n.to.ms);
        return parts.length ? `(${parts.join(' AND ')})` : '(1 = 1)';
      }
      case 'text': {
        const op = n.pattern.kind === 'exact' ? '= ?' : dialect === 'sqlite' ? 'GLOB ?' : "LIKE ? ESCAPE '\\'";
        const each = n.fields.map((f) => {
          params.push(patternParam(n.pattern, dialect));
          return `(${COLUMN[f]} IS NOT NULL AND ${COLUMN[f]} ${op})`;
        });
        return each.length === 1 ? each[0]! : `(${each.join(' OR ')})`;
      }
    }
  };
  return { sql: walk(q), params };
}

function patternParam(p: Pattern, dialect: Dialect): string {
  if (p.kind === 'exact') return p.value;
  const escape = dialect === 'sqlite'
    ? (s: string) => s.replace(/[*?[]/g, (c) => `[${c}]`)
    : (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  return p.parts.map(escape).join(dialect === 'sqlite' ? '*' : '%');
}
