/**
 * What stops working when an application's authentication method changes, in one sentence
 * for the confirmation that asks first. Switching methods is an outage for whatever still
 * authenticates the old way, so the dashboard never does it without saying so.
 */
import type { SecretMethod } from '../api.ts';

type Method = SecretMethod | 'private_key_jwt';

/** The consequence of leaving `from` (the current method) for another one. */
export function leavingMethodConsequence(from: Method | null): string {
  switch (from) {
    case 'client_secret_post':
    case 'client_secret_basic':
    case null:
      return 'The client secret stops working at once: token requests that send it are refused.';
    case 'none':
      return 'Token requests without client authentication are refused from then on.';
    case 'private_key_jwt':
      return 'Private Key JWT stops at once: token requests signed with this application’s private keys are refused.';
  }
}
