/** Scopes of the Management API (`{issuer}api/v2/`), named as Auth0 names them. */
export const MANAGEMENT_SCOPES = [
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:client_keys',
  'update:client_keys',
  'read:client_credentials',
  'create:client_credentials',
  'update:client_credentials',
  'delete:client_credentials',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:logs',
  'read:tenant_settings',
  'update:tenant_settings',
  'read:signing_keys',
  'create:signing_keys',
  'update:signing_keys',
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

export const managementAudience = (issuer: string) => `${issuer}api/v2/`;
