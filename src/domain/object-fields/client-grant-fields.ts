import { bool, isEmpty, isFalse, oneOf, type FieldRules } from './field-rules.ts';

/**
 * Every field of Auth0's client grant create and update bodies (`CreateClientGrantRequestContent`,
 * `UpdateClientGrantRequestContent` in the auth0 v7 SDK), with what Signet does with it and why.
 * `id` and `is_system` are read-only: Signet sets them and returns them.
 */
export const CLIENT_GRANT_FIELDS: FieldRules = {
  client_id: { status: 'core', reason: 'The application the grant is for.' },
  audience: { status: 'core', reason: 'The API identifier the grant is for.' },
  scope: { status: 'core', reason: 'The scopes a token for this client and API may carry, enforced at /oauth/token.' },

  allow_any_organization: { status: 'stored', reason: 'Signet has no organizations, so no organization is ever used with the grant.', check: bool },
  organization_usage: {
    status: 'refused',
    reason: 'Signet has no organizations, so it cannot require one on client-credentials requests (deny and allow are accepted).',
    harmless: (v) => v === 'deny' || v === 'allow',
    check: oneOf('deny', 'allow'),
  },
  subject_type: {
    status: 'refused',
    reason: 'Signet grants access to applications only (client credentials); only "client" is accepted.',
    harmless: (v) => v === 'client',
  },
  authorization_details_types: {
    status: 'refused',
    reason: 'Signet does not implement rich authorization requests (RFC 9396); only [] is accepted.',
    harmless: isEmpty,
  },
  allow_all_scopes: {
    status: 'refused',
    reason: 'Signet grants exactly the listed scopes, never every scope of the API (only false is accepted).',
    harmless: isFalse,
  },
  default_for: {
    status: 'refused',
    reason: 'Default grants for every third-party application are not implemented; Signet grants per application.',
  },
};
