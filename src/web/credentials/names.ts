import type { Credential } from '../api.ts';

/** Credentials created through the API may have no name; buttons still need one to be told apart. */
export const credentialName = (c: Credential) => c.name.trim() || `Credential ${c.kid.slice(0, 8)}`;

export const enabledIdsOf = (client: { client_authentication_methods?: { private_key_jwt: { credentials: { id: string }[] } } }) =>
  client.client_authentication_methods?.private_key_jwt.credentials.map((c) => c.id) ?? [];

/** Newest first, so the credential just added (and the one to rotate to) is on top. */
export const newestFirst = (a: Credential, b: Credential) => (b.created_at ?? '').localeCompare(a.created_at ?? '');
