import type { Services } from '../services.ts';
import { UserSignInError } from '../../domain/errors.ts';

/** Why the user directory refused a password sign-in (the login page words each for the user). */
export class UserSignInRefused extends Error {
  constructor(
    readonly reason: 'unknown_user' | 'wrong_password' | 'blocked',
    readonly userId?: string,
  ) {
    super(reason);
  }
}

/**
 * Checks an email and password with the tenant's user directory (which throttles and counts
 * attempts). Throws UserSignInRefused for a refusal the page explains, RateLimitedError when throttled.
 */
export async function signInUser(services: Services, tenantId: string, email: string, password: string, from: { ip: string; userAgent: string | null }) {
  try {
    return await services.users.signIn(tenantId, email, password, from);
  } catch (err) {
    if (err instanceof UserSignInError) throw new UserSignInRefused(err.code, err.userId);
    throw err;
  }
}
