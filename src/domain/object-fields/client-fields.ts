import { InvalidInputError } from '../errors.ts';
import { redirectUrl } from '../redirect-url.ts';
import { bool, int, isEmpty, isFalse, jsonObject, list, nullable, oneOf, shape, str, url, type Check, type FieldRules } from './field-rules.ts';

/** Auth0's bounds on `client_metadata`: 10 properties, names and string values of at most 255 characters. */
export const CLIENT_METADATA_MAX_KEYS = 10;
export const CLIENT_METADATA_MAX_LENGTH = 255;
/** Auth0's characters for a metadata property name: alphanumerics and  :,-+=_*?"/\()<>@ tab space. */
const METADATA_KEY = /^[A-Za-z0-9:,\-+=_*?"/\\()<>@\t ]+$/;

const clientMetadata: Check = (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidInputError('invalid_field', `${p} must be an object of string values.`, p);
  const entries = Object.entries(v);
  if (entries.length > CLIENT_METADATA_MAX_KEYS) {
    throw new InvalidInputError('invalid_field', `${p} has ${entries.length} properties; at most ${CLIENT_METADATA_MAX_KEYS} are allowed.`, p);
  }
  for (const [k, val] of entries) {
    if (k.length === 0 || k.length > CLIENT_METADATA_MAX_LENGTH || !METADATA_KEY.test(k)) {
      throw new InvalidInputError(
        'invalid_field',
        `${p} property names are 1 to ${CLIENT_METADATA_MAX_LENGTH} characters: letters, digits and :,-+=_*?"/\\()<>@ tab or space ("${k.slice(0, 40)}" is not).`,
        p,
      );
    }
    if (typeof val !== 'string' || val.length > CLIENT_METADATA_MAX_LENGTH) {
      throw new InvalidInputError('invalid_field', `${p}.${k.slice(0, 40)} must be a string of at most ${CLIENT_METADATA_MAX_LENGTH} characters.`, p);
    }
  }
};

const urls = list(url(), 100);
const names = list(str(2048, { min: 1 }), 100);
const noLogin = "Signet's hosted login page and login sessions do not use this, so it only describes the application; stored and returned as sent.";
const enabledSwitch = shape({ enabled: bool });
const backchannelLogout = shape({
  backchannel_logout_urls: list(url({ https: true }), 1),
  backchannel_logout_initiators: jsonObject(2048),
  backchannel_logout_session_metadata: nullable(jsonObject(1024)),
});

/** Checks `jwt_configuration` (its `alg` is Signet's; the other properties are stored as sent). */
export const checkJwtConfiguration: Check = shape({
  alg: str(16),
  lifetime_in_seconds: int(0, 2592000),
  secret_encoded: bool,
  scopes: jsonObject(4096),
});

/**
 * Every field of Auth0's client create and update bodies (`CreateClientRequestContent`,
 * `UpdateClientRequestContent` in the auth0 v7 SDK), with what Signet does with it and why.
 */
export const CLIENT_FIELDS: FieldRules = {
  name: { status: 'core', reason: 'The application name.' },
  description: { status: 'core', reason: 'Free text, at most 140 characters.' },
  app_type: { status: 'core', reason: 'Decides confidential or public, and so whether Private Key JWT is possible.' },
  token_endpoint_auth_method: { status: 'core', reason: 'How the client authenticates at /oauth/token.' },
  client_authentication_methods: { status: 'core', reason: 'Private Key JWT credentials, the heart of Signet.' },
  grant_types: { status: 'core', reason: 'Enforced at /oauth/token; only grants Signet implements (authorization_code, refresh_token, client_credentials) are accepted.' },
  callbacks: { status: 'core', reason: 'Allowed Callback URLs: /authorize sends codes only to one of these, compared exactly (https, or http on localhost/127.0.0.1/[::1]; no fragment).' },
  allowed_origins: { status: 'core', reason: 'CORS origins; stored.' },
  jwt_configuration: { status: 'core', reason: 'alg must be RS256 (what Signet signs with); the other properties are stored as sent.' },

  logo_uri: { status: 'stored', reason: 'Descriptive.', check: url() },
  web_origins: { status: 'stored', reason: noLogin, check: urls },
  allowed_logout_urls: {
    status: 'stored',
    reason: 'Allowed Logout URLs: /oidc/logout and /v2/logout return the browser only to one of these when the application is named (compared exactly).',
    check: list(redirectUrl, 100),
  },
  client_aliases: { status: 'stored', reason: 'SAML/WS-Fed audiences; Signet issues neither, so descriptive.', check: names },
  allowed_clients: { status: 'stored', reason: 'Delegation allow-list; Signet has no delegation grant, so nothing is widened.', check: names },
  client_metadata: { status: 'stored', reason: 'Descriptive, with Auth0 limits (10 string properties of at most 255 characters).', check: clientMetadata },
  oidc_conformant: { status: 'stored', reason: 'Signet implements no legacy (non-conformant) features either way.', check: bool },
  sso: { status: 'stored', reason: noLogin, check: bool },
  sso_disabled: { status: 'stored', reason: noLogin, check: bool },
  cross_origin_authentication: { status: 'stored', reason: noLogin, check: bool },
  cross_origin_loc: { status: 'stored', reason: noLogin, check: url() },
  custom_login_page_on: { status: 'stored', reason: noLogin, check: bool },
  custom_login_page: { status: 'stored', reason: noLogin, check: str(32768) },
  custom_login_page_preview: { status: 'stored', reason: noLogin, check: str(32768) },
  form_template: { status: 'stored', reason: 'WS-Federation form; Signet issues no WS-Fed responses.', check: str(32768) },
  initiate_login_uri: { status: 'stored', reason: noLogin, check: url({ https: true }) },
  mobile: {
    status: 'stored',
    reason: 'Native app identifiers; descriptive.',
    check: shape({
      android: shape({ app_package_name: str(256), sha256_cert_fingerprints: list(str(128), 20) }),
      ios: shape({ team_id: str(64), app_bundle_identifier: str(256) }),
    }),
  },
  native_social_login: { status: 'stored', reason: noLogin, check: shape({ apple: enabledSwitch, facebook: enabledSwitch, google: enabledSwitch }) },
  fedcm_login: { status: 'stored', reason: noLogin, check: shape({ google: enabledSwitch }) },
  oidc_logout: { status: 'stored', reason: 'Signet sends no back-channel logout notifications; stored and returned as sent.', check: backchannelLogout },
  oidc_backchannel_logout: { status: 'stored', reason: 'Signet sends no back-channel logout notifications; stored and returned as sent.', check: backchannelLogout },
  session_transfer: { status: 'stored', reason: 'Signet refuses token exchange, so no session is ever transferred.', check: jsonObject(2048) },
  refresh_token: {
    status: 'stored',
    reason: 'Signet issues no refresh tokens (client credentials only), so this is never applied.',
    check: shape(
      {
        rotation_type: oneOf('rotating', 'non-rotating'),
        expiration_type: oneOf('expiring', 'non-expiring'),
        leeway: int(0, 3600),
        token_lifetime: int(1, 157788000),
        infinite_token_lifetime: bool,
        idle_token_lifetime: int(1, 157788000),
        infinite_idle_token_lifetime: bool,
        policies: nullable(list(shape({ audience: str(600, { min: 1 }), scope: list(str(280), 500) }, ['audience', 'scope']), 20)),
      },
      ['rotation_type', 'expiration_type'],
    ),
  },
  organization_usage: { status: 'stored', reason: 'Login-flow organization handling; Signet has no organizations.', check: oneOf('deny', 'allow', 'require') },
  organization_require_behavior: { status: 'stored', reason: noLogin, check: oneOf('no_prompt', 'pre_login_prompt', 'post_login_prompt') },
  organization_discovery_methods: { status: 'stored', reason: noLogin, check: list(oneOf('email', 'organization_name'), 2) },
  skip_non_verifiable_callback_uri_confirmation_prompt: { status: 'stored', reason: noLogin, check: bool },
  token_exchange: {
    status: 'stored',
    reason: 'Signet refuses token exchange at /oauth/token (unsupported_grant_type), so enabling it cannot widen access.',
    check: shape({ allow_any_profile_of_type: list(oneOf('custom_authentication', 'on_behalf_of_token_exchange'), 2) }),
  },
  par_request_expiry: { status: 'stored', reason: 'Seconds a request pushed to /oauth/par waits for its /authorize (default 60).', check: int(5, 600) },
  require_pushed_authorization_requests: {
    status: 'stored',
    reason: 'When true, /authorize accepts only requests pushed to /oauth/par first (request_uri).',
    check: bool,
  },
  third_party_security_mode: { status: 'stored', reason: 'Applies to third-party applications; every Signet application is first-party.', check: oneOf('strict', 'permissive') },
  redirection_policy: { status: 'stored', reason: noLogin, check: oneOf('allow_always', 'open_redirect_protection') },
  express_configuration: { status: 'stored', reason: 'Okta Integration Network settings; descriptive in Signet.', check: jsonObject(4096) },
  b2b_integration_configuration: { status: 'stored', reason: 'Descriptive.', check: jsonObject(2048) },
  my_organization_configuration: { status: 'stored', reason: 'Signet has no organizations.', check: jsonObject(4096) },
  async_approval_notification_channels: { status: 'stored', reason: 'Signet has no CIBA flow.', check: list(oneOf('guardian-push', 'email'), 2) },

  is_first_party: {
    status: 'refused',
    reason: 'every Signet application is first-party; third-party restrictions are not implemented (only true is accepted).',
    harmless: (v) => v === true,
  },
  is_token_endpoint_ip_header_trusted: {
    status: 'refused',
    reason: 'Signet never trusts the auth0-forwarded-for header (only false is accepted).',
    harmless: isFalse,
  },
  require_proof_of_possession: { status: 'refused', reason: 'Signet issues bearer tokens only, without DPoP or mTLS binding (only false is accepted).', harmless: isFalse },
  signed_request_object: {
    status: 'refused',
    reason: 'Signet does not verify signed request objects (JAR); only {"required": false} without credentials is accepted.',
    harmless: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && (v as { required?: unknown }).required === false,
  },
  encryption_key: { status: 'refused', reason: 'Signet encrypts no tokens or responses, so they would go out in the clear.' },
  addons: { status: 'refused', reason: 'Signet runs no add-ons (SAML, WS-Fed, AWS, Azure…); they would hold third-party credentials it never uses (only {} is accepted).', harmless: isEmpty },
  default_organization: { status: 'refused', reason: 'Signet has no organizations; client-credentials tokens would lack the org_id claim.' },
  token_quota: { status: 'refused', reason: 'Signet does not enforce token quotas, so the limit would not hold.' },
  compliance_level: { status: 'refused', reason: 'Signet does not enforce FAPI profiles (only "none" is accepted).', harmless: (v) => v === 'none' },
  token_vault_privileged_access: { status: 'refused', reason: 'Signet has no token vault.' },
  resource_server_identifier: { status: 'refused', reason: 'Linking an application to an API is not implemented.' },
  identity_assertion_authorization_grant: {
    status: 'refused',
    reason: 'Signet does not implement identity assertion authorization grants (only {"active": false} is accepted).',
    harmless: (v) => typeof v === 'object' && v !== null && (v as { active?: unknown }).active === false && Object.keys(v).length === 1,
  },
  anonymous_sessions: {
    status: 'refused',
    reason: 'Signet does not implement anonymous sessions (only {"active": false} is accepted).',
    harmless: (v) => typeof v === 'object' && v !== null && (v as { active?: unknown }).active === false && Object.keys(v).length === 1,
  },
  client_secret: { status: 'refused', reason: 'Signet generates client secrets itself; use POST /clients/{id}/rotate-secret.' },
};
