import type { ClientAuthInput } from './types.ts';
import { parseBasic } from './client-secret.ts';

/** Longer claims are not client_ids Signet issues (the token route's schema allows 128). */
const MAX_CLIENT_ID = 128;
/** An assertion longer than this is refused by its decoder anyway (Auth0's limit is 2048 bytes). */
const MAX_ASSERTION_CHARS = 8192;

/**
 * The client a request says it is, read without checking anything and at little cost: the
 * client_id parameter, else the Basic header's user, else the client assertion's `iss`
 * (its payload decoded, signature ignored). What rate limits count before any verification;
 * undefined when the request names no client (it is then limited by its address alone).
 */
export function claimedClientId(input: ClientAuthInput): string | undefined {
  const id = input.clientId ?? fromBasic(input.authorization) ?? fromAssertion(input.clientAssertion);
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CLIENT_ID ? id : undefined;
}

function fromBasic(header: string | undefined): string | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  try {
    return parseBasic(header).id;
  } catch {
    return undefined;
  }
}

function fromAssertion(assertion: string | undefined): string | undefined {
  if (!assertion || assertion.length > MAX_ASSERTION_CHARS) return undefined;
  const parts = assertion.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload?.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}
