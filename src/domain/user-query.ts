import { InvalidInputError } from './errors.ts';

/**
 * parseUserQuery: the user search `q` of Auth0's `GET /api/v2/users` (search engine v3, a
 * subset of Lucene's syntax), as a list of conditions that must all hold.
 *
 * Accepted:
 * - `field:value` and `field:"quoted value"` (with `\"` and `\\` inside quotes);
 * - terms joined by `AND` (upper case) or by blanks (Lucene's default operator, as Auth0 uses);
 * - on `email`, `name` and `nickname`: a `*` wildcard at the end (`email:jo*`, one literal
 *   character at least) or at the start (`email:*@example.com`, three at least), matched
 *   case-insensitively like Auth0's email search;
 * - `user_id:` exact; `blocked:` and `email_verified:` take `true` or `false`.
 *
 * Everything else is refused with an InvalidInputError (code `invalid_query_string`, field `q`)
 * naming what is unsupported: other fields, `OR`/`NOT`, parentheses, ranges, wildcards
 * elsewhere, a term without a field name.
 *
 * Cost: one left-to-right pass over at most MAX_QUERY_LENGTH characters, at most MAX_TERMS terms.
 */

export const MAX_QUERY_LENGTH = 512;
export const MAX_TERMS = 8;

export const TEXT_FIELDS = ['email', 'name', 'nickname'] as const;
export type UserTextField = (typeof TEXT_FIELDS)[number];

export type UserCondition =
  | { kind: 'text'; field: UserTextField; match: 'exact' | 'prefix' | 'suffix'; value: string }
  | { kind: 'user_id'; value: string }
  | { kind: 'flag'; field: 'blocked' | 'email_verified'; value: boolean };

const FIELDS = [...TEXT_FIELDS, 'user_id', 'blocked', 'email_verified'] as const;

const fail = (message: string): never => {
  throw new InvalidInputError('invalid_query_string', `q: ${message}`, 'q');
};

export function parseUserQuery(q: string): UserCondition[] {
  if (q.length > MAX_QUERY_LENGTH) fail(`the query is longer than ${MAX_QUERY_LENGTH} characters.`);
  const out: UserCondition[] = [];
  let i = 0;
  const blank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < q.length) {
    while (blank(q[i])) i++;
    if (i >= q.length) break;
    // A field name: letters, digits, underscores, dots (so `user_metadata.x` is named when refused).
    const start = i;
    while (i < q.length && /[A-Za-z0-9_.]/.test(q[i]!)) i++;
    const word = q.slice(start, i);
    if (q[i] !== ':') {
      if (word === 'AND' && blank(q[i])) {
        if (out.length === 0) fail('AND needs a term on each side.');
        continue;
      }
      if (word === 'OR' || word === 'NOT') fail(`${word} is not supported: give terms that must all match (joined by AND or blanks).`);
      if (q[i] === '(' || q[i] === ')') fail('parentheses are not supported.');
      if (word.length === 0) fail(`unexpected character "${q[i]}" at ${i}.`);
      fail(`"${word.slice(0, 64)}" has no field name: search one of ${FIELDS.join(', ')}, e.g. email:"jane@example.com".`);
    }
    if (!(FIELDS as readonly string[]).includes(word)) {
      fail(`searching by ${word.length ? `"${word.slice(0, 64)}"` : 'a term without a field name'} is not supported; the fields are: ${FIELDS.join(', ')}.`);
    }
    i++; // ':'
    // The value: quoted, or up to the next blank.
    let value = '';
    let leading = false;
    let trailing = false;
    if (q[i] === '"') {
      i++;
      let closed = false;
      while (i < q.length) {
        const c = q[i]!;
        if (c === '\\' && i + 1 < q.length) {
          value += q[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) fail('a quoted value is not closed.');
      if (i < q.length && !blank(q[i])) fail(`a blank must follow the quoted value of ${word}.`);
      // Inside quotes, a star at either end is still a wildcard (Auth0's `email:"*@example.com"`).
    } else {
      const vs = i;
      while (i < q.length && !blank(q[i])) i++;
      value = q.slice(vs, i);
      if (value.startsWith('[') || value.startsWith('{')) fail(`ranges are not supported (${word}).`);
      if (/[()"\\]/.test(value)) fail(`the value of ${word} has a character that needs quotes: write ${word}:"…".`);
    }
    if (value.startsWith('*')) (leading = true), (value = value.slice(1));
    if (value.endsWith('*') && value.length > 0) (trailing = true), (value = value.slice(0, -1));
    if (value.includes('*') || (leading && trailing)) fail(`a wildcard may stand only at the start or at the end of a value (${word}).`);
    if (value.includes('?')) fail(`the ? wildcard is not supported (${word}).`);
    if (value.length === 0) fail(`${word} needs a value.`);
    if (word === 'user_id' || word === 'blocked' || word === 'email_verified') {
      if (leading || trailing) fail(`${word} does not take wildcards.`);
      if (word === 'user_id') out.push({ kind: 'user_id', value });
      else if (value === 'true' || value === 'false') out.push({ kind: 'flag', field: word, value: value === 'true' });
      else fail(`${word} must be true or false.`);
    } else {
      if (leading && value.length < 3) fail(`a leading wildcard needs at least 3 characters after it (${word}).`);
      out.push({ kind: 'text', field: word as UserTextField, match: leading ? 'suffix' : trailing ? 'prefix' : 'exact', value });
    }
    if (out.length > MAX_TERMS) fail(`at most ${MAX_TERMS} terms.`);
  }
  return out;
}
