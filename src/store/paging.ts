import type { Param } from './sql/db.ts';

/** A row's position in (creation time, id) order: the stable order every list is read in. */
export interface Keyset {
  createdAt: number;
  id: string;
}

/**
 * One page of a list: by offset (`page`/`per_page`) or after a keyset position (`from`/`take`).
 * Keyset pages neither repeat nor skip rows when others are inserted or deleted meanwhile.
 */
export type PageRequest = { offset: number; limit: number } | { after: Keyset | undefined; limit: number };

/**
 * The WHERE condition, ORDER BY and LIMIT of a page over `createdCol`, `idCol`; portable
 * across SQLite and PostgreSQL. The condition is `''` when there is none.
 */
export function pageSql(page: PageRequest, createdCol: string, idCol: string, desc = false): { where: string; whereParams: Param[]; tail: string; tailParams: Param[] } {
  const dir = desc ? ' DESC' : '';
  const order = `ORDER BY ${createdCol}${dir}, ${idCol}${dir}`;
  if ('offset' in page) return { where: '', whereParams: [], tail: `${order} LIMIT ? OFFSET ?`, tailParams: [page.limit, page.offset] };
  const tail = `${order} LIMIT ?`;
  if (!page.after) return { where: '', whereParams: [], tail, tailParams: [page.limit] };
  // `>=` first, so an index on (tenant, created, id) seeks to the position instead of scanning up to it.
  const [ge, gt] = desc ? ['<=', '<'] : ['>=', '>'];
  return {
    where: `${createdCol} ${ge} ? AND (${createdCol} ${gt} ? OR ${idCol} ${gt} ?)`,
    whereParams: [page.after.createdAt, page.after.createdAt, page.after.id],
    tail,
    tailParams: [page.limit],
  };
}

/**
 * A filtered, paged SELECT and, when asked, the COUNT of every matching row. `where` holds the
 * route's filter conditions (tenant first); the page's own condition is added to the SELECT only,
 * so the total counts the whole filtered list.
 */
export function pagedQuery(
  table: string,
  where: string[],
  params: Param[],
  page: PageRequest,
  /** The (creation time, id) columns, or another (sort column, id) pair, descending when `desc`. */
  order: { created: string; id: string; desc?: boolean },
): { select: string; selectParams: Param[]; count: string; countParams: Param[] } {
  const p = pageSql(page, order.created, order.id, order.desc);
  const conds = p.where ? [...where, p.where] : where;
  return {
    select: `SELECT * FROM ${table} WHERE ${conds.join(' AND ')} ${p.tail}`,
    selectParams: [...params, ...p.whereParams, ...p.tailParams],
    count: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where.join(' AND ')}`,
    countParams: params,
  };
}
