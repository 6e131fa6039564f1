/**
 * checkClientAssertionType: step 1, the `client_assertion_type` form parameter.
 *
 * Contract: returns when `value` is exactly `CLIENT_ASSERTION_TYPE`; otherwise throws
 * `OAuthRequestError('invalid_request')` (400: a malformed request, not a failed
 * authentication), saying what is missing or expected.
 */
import { OAuthRequestError } from '../errors.ts';
import { CLIENT_ASSERTION_TYPE } from './policy.ts';

export function checkClientAssertionType(value: unknown): void {
  if (value === CLIENT_ASSERTION_TYPE) return;
  throw new OAuthRequestError(
    'invalid_request',
    value === undefined || value === ''
      ? `client_assertion_type is required with client_assertion and must be "${CLIENT_ASSERTION_TYPE}"`
      : `client_assertion_type must be "${CLIENT_ASSERTION_TYPE}"`,
  );
}
