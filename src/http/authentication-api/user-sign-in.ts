import type { Services } from '../services.ts';

/** Why the user directory refused a password sign-in (the login page words each for the user). */
export class UserSignInRefused extends Error {
  constructor(
    readonly reason: 'unknown_user' | 'wrong_password' | 'blocked',
    readonly userId?: string,
  ) {
    super(reason);
  }
}

interface UserDirectory {
  signIn(tenantId: string, email: string, password: string, ctx: { ip: string; userAgent: string | null }): Promise<{ userId: string; email: string }>;
}

/** Checks an email and password with the tenant's user directory. */
export async function signInUser(services: Services, tenantId: string, email: string, password: string, ctx: { ip: string; userAgent: string | null }) {
  const users = (services as unknown as { users?: UserDirectory }).users;
  if (!users) throw new Error('No user directory is configured.');
  try {
    return await users.signIn(tenantId, email, password, ctx);
  } catch (err) {
    const e = err as { name?: string; code?: string; userId?: string };
    if (e?.name === 'UserSignInError' && (e.code === 'unknown_user' || e.code === 'wrong_password' || e.code === 'blocked')) throw new UserSignInRefused(e.code, e.userId);
    throw err;
  }
}
