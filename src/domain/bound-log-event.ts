/**
 * boundLogString / boundLogDetails: the size limits of what a log event stores.
 *
 * Log events are written for unauthenticated requests (a refused token request records its
 * audience, client_id and User-Agent), so every stored string is bounded here, in one place,
 * or any caller could fill the disk with a few thousand large requests.
 *
 * Contract:
 * - `boundLogString(s, max)` returns `s` when it has at most `max` characters; otherwise its
 *   first characters followed by TRUNCATION_MARKER, `max` characters in all (never splitting a
 *   surrogate pair). NUL characters become U+FFFD: PostgreSQL refuses them in text columns,
 *   and one such value would lose the whole batch of events it is written with.
 * - `boundLogDetails(d)` returns a copy of `d` where every string (keys included) is bounded
 *   to LOG_LIMITS.detailString, nesting is cut at LOG_LIMITS.detailDepth, arrays and objects
 *   keep at most LOG_LIMITS.detailEntries entries, and the serialised result is at most
 *   LOG_LIMITS.detailsJson characters (top-level entries past the budget are dropped and
 *   `truncated: true` says so).
 */

export const TRUNCATION_MARKER = '…[truncated]';

export const LOG_LIMITS = {
  /** The token endpoint accepts client_id up to 128 characters; nothing longer is ever stored. */
  clientId: 128,
  /** Descriptions quote at most a short excerpt of the input that failed. */
  description: 512,
  /** client_name, ip, user_agent. */
  field: 256,
  /** A granted scope list (every Management API scope is ~430 characters) still fits. */
  detailString: 1024,
  detailDepth: 4,
  detailEntries: 50,
  detailsJson: 8192,
} as const;

export function boundLogString(s: string, max: number): string {
  const clean = s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
  if (clean.length <= max) return clean;
  let cut = Math.max(0, max - TRUNCATION_MARKER.length);
  const last = clean.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return clean.slice(0, cut) + TRUNCATION_MARKER;
}

export function boundLogDetails(details: Record<string, unknown>): Record<string, unknown> {
  const bounded = boundValue(details, 0) as Record<string, unknown>;
  let size = 2;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(bounded)) {
    // `truncated: true` itself needs room, so the budget keeps some back.
    const entry = JSON.stringify(k).length + 1 + (JSON.stringify(v)?.length ?? 0) + 1;
    if (size + entry > LOG_LIMITS.detailsJson - 32) {
      out.truncated = true;
      break;
    }
    out[k] = v;
    size += entry;
  }
  return out;
}

function boundValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return boundLogString(v, LOG_LIMITS.detailString);
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol' ? String(v).slice(0, 64) : v;
  if (depth >= LOG_LIMITS.detailDepth) return TRUNCATION_MARKER;
  if (Array.isArray(v)) {
    const items = v.slice(0, LOG_LIMITS.detailEntries).map((x) => boundValue(x, depth + 1));
    if (v.length > LOG_LIMITS.detailEntries) items.push(TRUNCATION_MARKER);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, x] of Object.entries(v)) {
    if (n++ === LOG_LIMITS.detailEntries) {
      out.truncated = true;
      break;
    }
    out[boundLogString(k, 64)] = boundValue(x, depth + 1);
  }
  return out;
}
