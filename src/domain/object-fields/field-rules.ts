import { InvalidInputError } from '../errors.ts';

/** Validates one value; throws an InvalidInputError naming `path` (e.g. `refresh_token.leeway`). */
export type Check = (value: unknown, path: string) => void;

/**
 * What Signet does with one field of an Auth0 Management API object:
 * - `core`: Signet implements it (its own column and rules, outside this table's checks);
 * - `stored`: descriptive, or configuring a flow Signet does not run (so it cannot widen access):
 *   validated with `check`, stored as sent and returned unchanged;
 * - `refused`: Signet does not implement its behaviour and ignoring it would weaken or change
 *   security: 400 naming the field, except for the `harmless` values (those that ask for what
 *   Signet does anyway), which are stored and returned like a stored field.
 * Every field of Auth0's create/update schemas has a rule; anything else is refused as unknown.
 */
export type FieldRule =
  | { status: 'core'; reason: string }
  | { status: 'stored'; reason: string; check: Check }
  | { status: 'refused'; reason: string; harmless?: (value: unknown) => boolean; check?: Check };

export type FieldRules = Readonly<Record<string, FieldRule>>;

/** Descriptive values kept beside an object's own columns, as sent (one JSON document per object). */
export type Extras = Record<string, unknown>;

const invalid = (path: string, what: string) => new InvalidInputError('invalid_field', `${path} ${what}.`, path.split(/[.[]/)[0]);

/** The 400 for a field whose behaviour Signet does not implement. */
export function unsupportedField(path: string, reason: string): InvalidInputError {
  return new InvalidInputError('unsupported_field', `${path} is not supported by Signet: ${reason}`, path.split(/[.[]/)[0]);
}

/**
 * Applies the rules to the non-core fields of a create or update body and returns the extras
 * after it: a stored (or harmless) value replaces the previous one as a whole, `null` removes
 * it. Throws before anything is returned, so a refused field changes nothing.
 */
export function applyExtras(rules: FieldRules, body: Record<string, unknown>, current: Extras = {}): Extras {
  const next: Extras = { ...current };
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined) continue;
    const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
    if (!rule) throw new InvalidInputError('invalid_body', `Payload validation error: 'Additional properties not allowed: ${field}'.`, field);
    if (rule.status === 'core') continue;
    if (value === null) {
      delete next[field];
      continue;
    }
    if (rule.status === 'refused') {
      if (!rule.harmless?.(value)) throw unsupportedField(field, rule.reason);
      rule.check?.(value, field);
    } else {
      rule.check(value, field);
    }
    next[field] = value;
  }
  return next;
}

/** The JSON Schema properties for a route's body: core fields as the route defines them, every other ruled field checked by the rules. */
export function ruledProperties(rules: FieldRules, core: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules)) if (rule.status !== 'core') props[field] = {};
  return { ...props, ...core };
}

// ---------------------------------------------------------------------------------------------
// Checks: small, bounded, linear-time.
// ---------------------------------------------------------------------------------------------

export const bool: Check = (v, p) => {
  if (typeof v !== 'boolean') throw invalid(p, 'must be a boolean');
};

export function str(max: number, opts: { min?: number; noAngleBrackets?: boolean } = {}): Check {
  const min = opts.min ?? 0;
  return (v, p) => {
    if (typeof v !== 'string') throw invalid(p, 'must be a string');
    if (v.length < min || v.length > max) throw invalid(p, min > 0 ? `must be ${min} to ${max} characters` : `must be at most ${max} characters`);
    if (opts.noAngleBrackets && (v.includes('<') || v.includes('>'))) throw invalid(p, 'must not contain < or >');
  };
}

/** An absolute http(s) URL (https only when `https`), at most `max` characters. */
export function url(opts: { https?: boolean; max?: number } = {}): Check {
  const max = opts.max ?? 2048;
  return (v, p) => {
    str(max, { min: 1 })(v, p);
    let u: URL;
    try {
      u = new URL(v as string);
    } catch {
      throw invalid(p, 'must be an absolute URL');
    }
    const ok = opts.https ? u.protocol === 'https:' : u.protocol === 'https:' || u.protocol === 'http:';
    if (!ok) throw invalid(p, opts.https ? 'must be an https URL' : 'must be an http or https URL');
  };
}

export const email: Check = (v, p) => {
  str(254, { min: 3 })(v, p);
  const s = v as string;
  const at = s.indexOf('@');
  if (at < 1 || at !== s.lastIndexOf('@') || at === s.length - 1 || /\s/.test(s)) throw invalid(p, 'must be an email address');
};

export function int(min: number, max: number): Check {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(p, `must be an integer from ${min} to ${max}`);
  };
}

export function num(min: number, max: number): Check {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalid(p, `must be a number from ${min} to ${max}`);
  };
}

export function oneOf(...values: readonly string[]): Check {
  return (v, p) => {
    if (typeof v !== 'string' || !values.includes(v)) throw invalid(p, `must be one of ${values.join(', ')}`);
  };
}

export function list(item: Check, maxItems: number): Check {
  return (v, p) => {
    if (!Array.isArray(v)) throw invalid(p, 'must be an array');
    if (v.length > maxItems) throw invalid(p, `must have at most ${maxItems} items`);
    v.forEach((x, i) => item(x, `${p}[${i}]`));
  };
}

export function nullable(check: Check): Check {
  return (v, p) => {
    if (v !== null) check(v, p);
  };
}

/** An object with only the listed properties (each optional unless in `required`). */
export function shape(props: Record<string, Check>, required: readonly string[] = []): Check {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(p, 'must be an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const check = Object.hasOwn(props, k) ? props[k] : undefined;
      if (!check) throw invalid(`${p}.${k.slice(0, 64)}`, 'is not a known property');
      if (o[k] !== undefined) check(o[k], `${p}.${k}`);
    }
    for (const k of required) if (o[k] === undefined) throw invalid(`${p}.${k}`, 'is required');
  };
}

/**
 * Any JSON object of at most `maxBytes` serialized and `maxDepth` levels: for opaque
 * descriptive blobs (configuration of features Signet does not run) that are only stored.
 */
export function jsonObject(maxBytes = 8192, maxDepth = 6): Check {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(p, 'must be an object');
    if (depth(v, maxDepth) > maxDepth) throw invalid(p, `must be nested at most ${maxDepth} levels`);
    if (Buffer.byteLength(JSON.stringify(v)) > maxBytes) throw invalid(p, `must be at most ${maxBytes} bytes as JSON`);
  };
}

function depth(v: unknown, limit: number, d = 0): number {
  if (d > limit || typeof v !== 'object' || v === null) return d;
  let max = d + 1;
  for (const x of Object.values(v)) max = Math.max(max, depth(x, limit, d + 1));
  return max;
}

/** True when `v` is `false` (a boolean switch left off: what Signet does anyway). */
export const isFalse = (v: unknown) => v === false;
/** True when `v` is an empty array or an empty object. */
export const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);
