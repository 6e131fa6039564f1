import type { FastifyInstance } from 'fastify';
import { repeatedParameterError } from './form-body.ts';

/**
 * application/json bodies for OAuth endpoints, held to the form body's rule (RFC 6749 §3.2: no
 * parameter twice). JSON.parse keeps the last of two equal member names, so
 * `{"client_assertion": A, "client_assertion": B}` would otherwise be read as B where a form
 * body with both is refused. Parsing itself is Fastify's own (with its prototype-poisoning
 * protection); only the repeated-name check is added, in one linear pass over the text.
 */
export function registerStrictJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const repeated = isPlainObject(value) ? repeatedMemberName(body as string) : undefined;
      if (repeated !== undefined) return done(repeatedParameterError(repeated), undefined);
      done(null, value);
    });
  });
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The first member name that occurs twice in the top-level object of `text`, which must be
 * valid JSON whose top level is an object (it has been parsed already). Names are compared
 * decoded, so `"client\u005fassertion"` repeats `"client_assertion"`. One pass, each string
 * read once: linear in the text.
 */
export function repeatedMemberName(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      if (depth === 1 && expectName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (seen.has(name)) return name;
        seen.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      // Only the top-level object's names are parameters; nested objects are the schema's business.
      expectName = depth === 1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA && depth === 1) {
      expectName = true;
    }
  }
  return undefined;
}

/**
 * Index of the quote closing the string that opens at `start`: the next quote preceded by an
 * even number of backslashes. indexOf keeps the long values (an assertion) off the JavaScript
 * loop; each run of backslashes is counted once, by the quote right after it.
 */
function endOfString(text: string, start: number): number {
  let quote = start;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

