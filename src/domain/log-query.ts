import { InvalidInputError } from './errors.ts';

/**
 * parseLogQuery: the log search `q` of Auth0's Management API (a subset of Lucene's query
 * syntax) turned into a small tree the store compiles into parameterised SQL.
 *
 * What is accepted, as Auth0 documents it for log search:
 * - `field:value` on a searchable field; values match the whole field, case-sensitively.
 * - Quoted values (`description:"Client Credentials for Access Token"`), with `\"` and `\\`
 *   inside; a backslash outside quotes makes the next character literal (`\*`).
 * - `*` wildcards (zero or more characters): a prefix (`type:s*`) needs one literal character,
 *   any other use (`*usa`, `*pass*`, `jane*smith`) needs at least three.
 * - Dates as `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm`, `…:ss` or `…:ss.sss`, with an
 *   optional `Z`, read as UTC with the missing parts zeroed; `date:D` is that instant, and
 *   ranges `date:[A TO B]` (inclusive), `{A TO B}` (exclusive) or mixed (`[A TO B}`) with `*`
 *   for an open end.
 * - A bare term (no field) matches any of user_name, client_name, type, ip, log_id, description.
 * - `AND`, `OR`, `NOT` (upper case) and parentheses; NOT binds tightest, then AND, then OR.
 *
 * Everything else is refused with an InvalidInputError (code `invalid_query`, field `q`) that
 * names what is unsupported: Auth0 fields Signet has no data for, `?`, fuzzy/proximity `~`,
 * boosts `^`, regular expressions, `+`/`-`/`!`/`&&`/`||`, terms side by side without an
 * operator, ranges on fields other than date.
 *
 * Cost: one left-to-right pass to tokenize (no regular expression runs over the input), a
 * recursive-descent parse whose depth is bounded by MAX_DEPTH, and at most MAX_TERMS terms of
 * at most MAX_WILDCARDS wildcards each; input longer than MAX_QUERY_LENGTH is refused first.
 */

export const MAX_QUERY_LENGTH = 512;
export const MAX_DEPTH = 8;
export const MAX_TERMS = 32;
export const MAX_WILDCARDS = 4;

/** Fields that hold text, by their Auth0 names. */
export const TEXT_FIELDS = ['log_id', 'type', 'description', 'client_id', 'client_name', 'ip', 'user_agent', 'hostname', 'user_id', 'user_name'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** Auth0's fields searched by a term without a field name (those Signet records). */
export const BARE_TERM_FIELDS: readonly TextField[] = ['user_name', 'client_name', 'type', 'ip', 'log_id', 'description'];

/** Auth0 log fields that Signet never records: searching them could only ever match nothing. */
const UNRECORDED_FIELDS = new Set(['connection', 'connection_id', 'strategy', 'strategy_type', 'organization_id']);

export type Pattern =
  | { kind: 'exact'; value: string }
  /** `parts` are the literal pieces between wildcards: `a*b*` is ['a', 'b', '']. */
  | { kind: 'wildcard'; parts: string[] };

export interface DateBound {
  ms: number;
  inclusive: boolean;
}

export type LogQuery =
  | { kind: 'and' | 'or'; items: LogQuery[] }
  | { kind: 'not'; item: LogQuery }
  | { kind: 'text'; fields: readonly TextField[]; pattern: Pattern }
  | { kind: 'date'; from?: DateBound; to?: DateBound };

const fail = (message: string): never => {
  throw new InvalidInputError('invalid_query_string', `q: ${message}`, 'q');
};

// ---------------------------------------------------------------------------------------------
// Tokens

/** A value as written: its characters and, for each `*`, whether it was a wildcard (unescaped, unquoted). */
interface Value {
  text: string;
  /** Positions in `text` of wildcard stars. */
  stars: number[];
  quoted: boolean;
}

type Token =
  | { t: '(' | ')' | 'AND' | 'OR' | 'NOT'; at: number }
  | { t: 'term'; at: number; field?: string; value: Value }
  | { t: 'range'; at: number; field: string; low: Value; high: Value; lowInclusive: boolean; highInclusive: boolean };

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
/** Characters that end an unquoted word. */
const isDelimiter = (c: string) => isSpace(c) || c === '(' || c === ')' || c === '"' || c === '[' || c === ']' || c === '{' || c === '}';
const isFieldChar = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '.';

class Lexer {
  i = 0;
  constructor(readonly s: string) {}

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.skipSpace();
      if (this.i >= this.s.length) return out;
      out.push(this.next());
    }
  }

  private skipSpace() {
    while (this.i < this.s.length && isSpace(this.s[this.i]!)) this.i++;
  }

  private next(): Token {
    const at = this.i;
    const c = this.s[at]!;
    if (c === '(' || c === ')') {
      this.i++;
      return { t: c, at };
    }
    if (c === '"') return { t: 'term', at, value: this.quoted() };
    if (c === '[' || c === '{') fail(`a range needs a field, as in date:[2024-01-01 TO *] (at character ${at + 1}).`);
    // A field name is a run of name characters directly followed by a colon.
    let j = at;
    while (j < this.s.length && isFieldChar(this.s[j]!)) j++;
    if (j > at && this.s[j] === ':') {
      const field = this.s.slice(at, j);
      this.i = j + 1;
      const v = this.s[this.i];
      if (v === undefined || isSpace(v) || v === ')') fail(`${field}: has no value (at character ${at + 1}).`);
      if (v === '[' || v === '{') return this.range(field, at);
      if (v === '"') return { t: 'term', at, field, value: this.quoted() };
      return { t: 'term', at, field, value: this.word() };
    }
    const value = this.word();
    if (!value.quoted && value.stars.length === 0) {
      if (value.text === 'AND' || value.text === 'OR' || value.text === 'NOT') return { t: value.text, at };
      if (value.text === '&&' || value.text === '||') fail(`"${value.text}" is not supported: use AND or OR.`);
    }
    return { t: 'term', at, value };
  }

  /** An unquoted word; `\` makes the next character literal. */
  private word(): Value {
    const at = this.i;
    const first = this.s[at]!;
    if (first === '+' || first === '-') fail(`the "${first}" prefix operator is not supported (at character ${at + 1}): use AND, OR and NOT.`);
    if (first === '!') fail(`"!" is not supported (at character ${at + 1}): use NOT.`);
    if (first === '/') fail(`regular expressions are not supported (at character ${at + 1}).`);
    let text = '';
    const stars: number[] = [];
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (isDelimiter(c)) break;
      if (c === '\\') {
        const n = this.s[this.i + 1];
        if (n === undefined) fail('q ends with an unfinished escape "\\".');
        text += n;
        this.i += 2;
        continue;
      }
      if (c === '?') fail(`the "?" wildcard is not supported (at character ${this.i + 1}): use "*".`);
      if (c === '~') fail(`fuzzy and proximity searches ("~") are not supported (at character ${this.i + 1}).`);
      if (c === '^') fail(`boosts ("^") are not supported (at character ${this.i + 1}).`);
      if (c === '*') stars.push(text.length);
      text += c;
      this.i++;
    }
    // A stray "]" or "}" (the other delimiters are handled before a word starts): an empty word would never advance.
    if (this.i === at) fail(`unexpected "${first}" at character ${at + 1}.`);
    return { text, stars, quoted: false };
  }

  /** A double-quoted value: exact, no wildcards; `\"` and `\\` escape. */
  private quoted(): Value {
    const start = this.i;
    this.i++;
    let text = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '"') {
        this.i++;
        const after = this.s[this.i];
        if (after === '~' || after === '^') fail(`"${after}" after a quoted value is not supported (at character ${this.i + 1}).`);
        return { text, stars: [], quoted: true };
      }
      if (c === '\\' && this.i + 1 < this.s.length) {
        text += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      text += c;
      this.i++;
    }
    return fail(`the quote opened at character ${start + 1} is never closed.`);
  }

  /** `[low TO high]`, `{low TO high}` or a mix; `*` for an open end. */
  private range(field: string, at: number): Token {
    const lowInclusive = this.s[this.i] === '[';
    this.i++;
    const low = this.bound();
    this.skipSpace();
    if (this.s.slice(this.i, this.i + 2) !== 'TO' || !isSpace(this.s[this.i + 2] ?? '')) fail(`a range is written ${field}:[low TO high] (at character ${at + 1}).`);
    this.i += 2;
    const high = this.bound();
    this.skipSpace();
    const close = this.s[this.i];
    if (close !== ']' && close !== '}') fail(`the range at character ${at + 1} is not closed with "]" or "}".`);
    this.i++;
    return { t: 'range', at, field, low, high, lowInclusive, highInclusive: close === ']' };
  }

  private bound(): Value {
    this.skipSpace();
    if (this.s[this.i] === '"') return this.quoted();
    const start = this.i;
    while (this.i < this.s.length && !isSpace(this.s[this.i]!) && this.s[this.i] !== ']' && this.s[this.i] !== '}') this.i++;
    const text = this.s.slice(start, this.i);
    if (!text) fail(`a range bound is missing (at character ${start + 1}).`);
    return { text, stars: text === '*' ? [0] : [], quoted: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
  private i = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): LogQuery {
    const q = this.or(0);
    const extra = this.tokens[this.i];
    if (extra) {
      if (extra.t === ')') fail(`unbalanced ")" at character ${extra.at + 1}.`);
      fail(`terms must be joined by AND or OR (upper case); found another term at character ${extra.at + 1}.`);
    }
    return q;
  }

  private or(depth: number): LogQuery {
    const items = [this.and(depth)];
    while (this.tokens[this.i]?.t === 'OR') {
      this.i++;
      items.push(this.and(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(depth: number): LogQuery {
    const items = [this.unary(depth)];
    while (this.tokens[this.i]?.t === 'AND') {
      this.i++;
      items.push(this.unary(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(depth: number): LogQuery {
    if (depth >= MAX_DEPTH) fail(`nesting (parentheses and NOT) deeper than ${MAX_DEPTH} levels is not supported.`);
    const tok = this.tokens[this.i];
    if (!tok) return fail('a term is missing at the end.');
    this.i++;
    switch (tok.t) {
      case 'NOT':
        return { kind: 'not', item: this.unary(depth + 1) };
      case '(': {
        if (this.tokens[this.i]?.t === ')') fail(`empty parentheses at character ${tok.at + 1}.`);
        const inner = this.or(depth + 1);
        if (this.tokens[this.i]?.t !== ')') fail(`the "(" at character ${tok.at + 1} is never closed.`);
        this.i++;
        return inner;
      }
      case ')':
        return fail(`unexpected ")" at character ${tok.at + 1}.`);
      case 'AND':
      case 'OR':
        return fail(`${tok.t} at character ${tok.at + 1} needs a term on each side.`);
      default:
        if (++this.terms > MAX_TERMS) fail(`more than ${MAX_TERMS} terms are not supported.`);
        return tok.t === 'term' ? termQuery(tok.field, tok.value) : rangeQuery(tok);
    }
  }
}

function checkField(field: string): TextField | 'date' {
  if (field === 'date' || (TEXT_FIELDS as readonly string[]).includes(field)) return field as TextField | 'date';
  if (UNRECORDED_FIELDS.has(field)) fail(`the field "${field}" is not searchable: Signet records no connections, strategies or organizations.`);
  if (field.endsWith('.raw')) fail(`the ".raw" suffix (in "${field}") is not supported: fields match whole values.`);
  if (field === 'details' || field.startsWith('details.')) fail(`"${field}" is not searchable: details are not indexed.`);
  return fail(`the field "${field}" is not searchable; searchable fields are ${['date', ...TEXT_FIELDS].join(', ')}.`);
}

function termQuery(fieldName: string | undefined, value: Value): LogQuery {
  const field = fieldName === undefined ? undefined : checkField(fieldName);
  if (field === 'date') {
    if (value.stars.length) fail('date takes a date or a range, not a wildcard.');
    const ms = parseLogDate(value.text);
    return { kind: 'date', from: { ms, inclusive: true }, to: { ms, inclusive: true } };
  }
  return { kind: 'text', fields: field ? [field] : BARE_TERM_FIELDS, pattern: pattern(fieldName ?? 'a bare term', value) };
}

function pattern(where: string, v: Value): Pattern {
  if (!v.stars.length) return { kind: 'exact', value: v.text };
  if (v.stars.length > MAX_WILDCARDS) fail(`${where}: more than ${MAX_WILDCARDS} wildcards in one value are not supported.`);
  const parts: string[] = [];
  let from = 0;
  for (const at of v.stars) {
    parts.push(v.text.slice(from, at));
    from = at + 1;
  }
  parts.push(v.text.slice(from));
  // `a**b` is `a*b`: drop the empty pieces between adjacent wildcards.
  const merged = parts.filter((p, k) => p !== '' || k === 0 || k === parts.length - 1);
  const literal = merged.reduce((n, p) => n + p.length, 0);
  const isPrefix = merged.length === 2 && merged[1] === '' && merged[0] !== '';
  if (!isPrefix && literal < 3) {
    fail(`${where}: a wildcard other than a trailing one (prefix search) needs at least 3 literal characters, as in "*usa".`);
  }
  return { kind: 'wildcard', parts: merged };
}

function rangeQuery(tok: Extract<Token, { t: 'range' }>): LogQuery {
  const field = checkField(tok.field);
  if (field !== 'date') fail(`ranges are supported on date only, not on "${tok.field}".`);
  const bound = (v: Value, inclusive: boolean): DateBound | undefined => (v.stars.length ? undefined : { ms: parseLogDate(v.text), inclusive });
  const from = bound(tok.low, tok.lowInclusive);
  const to = bound(tok.high, tok.highInclusive);
  return { kind: 'date', ...(from && { from }), ...(to && { to }) };
}

/**
 * `YYYY[-MM[-DD[THH:mm[:ss[.sss]]]]][Z]` as UTC epoch milliseconds, missing parts zeroed (as
 * Auth0 reads dates). Refuses anything else, including impossible dates such as 2024-02-30.
 */
export function parseLogDate(text: string): number {
  const bad = (): never => fail(`"${text.slice(0, 40)}" is not a date: use YYYY-MM-DD, optionally with THH:mm, :ss and .sss (UTC).`);
  const s = text.endsWith('Z') ? text.slice(0, -1) : text;
  // Fixed positions: the shape is checked character by character.
  const shape = ['dddd', '-dd', '-dd', 'Tdd', ':dd', ':dd', '.ddd'];
  const nums: number[] = [];
  let pos = 0;
  for (const piece of shape) {
    if (pos === s.length) break;
    let digits = '';
    for (let k = 0; k < piece.length; k++) {
      const c = s[pos + k];
      if (c === undefined) {
        // Milliseconds may have 1 to 3 digits.
        if (piece === '.ddd' && k >= 2) break;
        bad();
      }
      if (piece[k] === 'd' ? !(c! >= '0' && c! <= '9') : c !== piece[k]) {
        if (piece === '.ddd' && k >= 2) break;
        bad();
      }
      if (piece[k] === 'd') digits += c;
    }
    pos += (piece === '.ddd' ? 1 + digits.length : piece.length);
    nums.push(piece === '.ddd' ? Number(digits.padEnd(3, '0')) : Number(digits));
  }
  if (pos !== s.length || nums.length === 0 || nums.length === 4) bad(); // `THH` alone is not a time
  const [y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0] = nums as [number, ...number[]];
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const back = new Date(t);
  if (y < 1000 || mo < 1 || mo > 12 || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || sec > 59) bad();
  return t;
}

/** Parses `q` (undefined or blank: no filter). */
export function parseLogQuery(q: string | undefined): LogQuery | undefined {
  if (q === undefined || !q.trim()) return undefined;
  if (q.length > MAX_QUERY_LENGTH) fail(`longer than ${MAX_QUERY_LENGTH} characters.`);
  return new Parser(new Lexer(q).tokens()).parse();
}
