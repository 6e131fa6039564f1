import { InvalidInputError } from '../errors.ts';
import { redirectUrl } from '../redirect-url.ts';
import { bool, email, int, isEmpty, isFalse, jsonObject, list, nullable, num, oneOf, shape, str, url, type FieldRules } from './field-rules.ts';

const noSessions = "Signet's login sessions and hosted pages do not use this setting; stored and returned as sent.";
const page = shape({ enabled: bool, html: str(32768) });
/** Auth0's Enterprise bounds: a session at most 365 days (8760 hours), idle at most 100 days (2400 hours). */
const hours = (max: number) => num(1 / 60, max);
const minutes = (max: number) => int(1, max);

/**
 * Every field of Auth0's `PATCH /tenants/settings` body (`UpdateTenantSettingsRequestContent` in
 * the auth0 v7 SDK), with what Signet does with it and why, beside Signet's own settings.
 */
export const TENANT_SETTING_FIELDS: FieldRules = {
  max_assertion_lifetime: { status: 'core', reason: 'Longest accepted client assertion lifetime.' },
  clock_skew: { status: 'core', reason: 'Clock skew tolerated on assertion times.' },
  audience_policy: { status: 'core', reason: 'Which client assertion audiences are accepted.' },
  log_retention_days: { status: 'core', reason: 'How long log events are kept.' },
  token_rate_limit_per_client: { status: 'core', reason: 'Token requests per window from one client.' },
  token_rate_limit_per_address: { status: 'core', reason: 'Token requests per window from one address.' },
  management_rate_limit_per_token: { status: 'core', reason: 'Management API requests per window with one token.' },
  rate_limit_window: { status: 'core', reason: 'The window of the rate limits, in seconds.' },

  friendly_name: { status: 'stored', reason: 'Descriptive; GET returns the tenant name until one is set.', check: str(255, { min: 1, noAngleBrackets: true }) },
  picture_url: { status: 'stored', reason: 'Descriptive.', check: url() },
  support_email: { status: 'stored', reason: 'Descriptive.', check: email },
  support_url: { status: 'stored', reason: 'Descriptive.', check: url() },
  default_audience: {
    status: 'stored',
    reason: 'As on Auth0, the audience of a client-credentials request that names none.',
    check: str(600, { min: 1 }),
  },
  default_directory: { status: 'stored', reason: 'Signet has no password grant or connections.', check: str(255) },
  allowed_logout_urls: {
    status: 'stored',
    reason: 'Where /oidc/logout and /v2/logout may return the browser when no application is named (compared exactly).',
    check: list(redirectUrl, 100),
  },
  session_lifetime: { status: 'stored', reason: 'Login sessions end this many hours after sign-in (default 168).', check: hours(8760) },
  session_lifetime_in_minutes: { status: 'stored', reason: 'Login sessions end this many minutes after sign-in.', check: minutes(525600) },
  idle_session_lifetime: { status: 'stored', reason: 'Login sessions end after this many hours unused (default 72).', check: hours(2400) },
  idle_session_lifetime_in_minutes: { status: 'stored', reason: 'Login sessions end after this many minutes unused.', check: minutes(144000) },
  ephemeral_session_lifetime: { status: 'stored', reason: noSessions, check: hours(8760) },
  ephemeral_session_lifetime_in_minutes: { status: 'stored', reason: noSessions, check: minutes(525600) },
  idle_ephemeral_session_lifetime: { status: 'stored', reason: noSessions, check: hours(2400) },
  idle_ephemeral_session_lifetime_in_minutes: { status: 'stored', reason: noSessions, check: minutes(144000) },
  session_cookie: { status: 'stored', reason: noSessions, check: shape({ mode: oneOf('persistent', 'non-persistent') }, ['mode']) },
  sessions: {
    status: 'stored',
    reason: noSessions,
    check: shape({ oidc_logout_prompt_enabled: bool, anonymous: nullable(shape({ lifetime_in_minutes: minutes(525600), activate_cookie: bool })) }),
  },
  oidc_logout: { status: 'stored', reason: noSessions, check: shape({ rp_logout_end_session_endpoint_discovery: bool }) },
  change_password: { status: 'stored', reason: noSessions, check: page },
  guardian_mfa_page: { status: 'stored', reason: noSessions, check: page },
  error_page: { status: 'stored', reason: noSessions, check: shape({ html: str(32768), show_log_link: bool, url: url() }) },
  device_flow: { status: 'stored', reason: 'Signet has no device flow.', check: shape({ charset: oneOf('base20', 'digits'), mask: str(32) }) },
  default_redirection_uri: { status: 'stored', reason: noSessions, check: url({ https: true }) },
  enabled_locales: { status: 'stored', reason: noSessions, check: list(str(16, { min: 2 }), 100) },
  security_headers: { status: 'stored', reason: "Signet's hosted pages always send their own strict headers (CSP, X-Frame-Options DENY); stored and returned as sent.", check: jsonObject(8192) },
  sandbox_version: { status: 'stored', reason: 'Signet runs no Actions or Rules.', check: str(16, { min: 1 }) },
  legacy_sandbox_version: { status: 'stored', reason: 'Signet runs no Actions or Rules.', check: str(16) },
  customize_mfa_in_postlogin_action: { status: 'stored', reason: 'Signet runs no Actions and has no MFA.', check: bool },
  allow_organization_name_in_authentication_api: { status: 'stored', reason: 'Signet has no organizations.', check: bool },
  skip_non_verifiable_callback_uri_confirmation_prompt: { status: 'stored', reason: noSessions, check: bool },
  enable_ai_guide: { status: 'stored', reason: 'Descriptive.', check: bool },
  phone_consolidated_experience: { status: 'stored', reason: noSessions, check: bool },
  include_session_metadata_in_tenant_logs: { status: 'stored', reason: noSessions, check: bool },
  dynamic_client_registration_security_mode: { status: 'stored', reason: 'Signet has no dynamic client registration.', check: oneOf('strict', 'permissive') },
  country_codes: { status: 'stored', reason: 'Signet sends no SMS.', check: shape({ list: list(str(8), 300), mode: oneOf('allow', 'deny') }) },

  flags: { status: 'refused', reason: 'the flags switch Auth0 platform behaviours Signet does not have (only {} is accepted).', harmless: isEmpty },
  default_token_quota: { status: 'refused', reason: 'Signet does not enforce token quotas, so the limit would not hold.' },
  acr_values_supported: { status: 'refused', reason: 'Signet performs no end-user authentication, so it cannot honour ACR values (only [] is accepted).', harmless: isEmpty },
  mtls: {
    status: 'refused',
    reason: 'Signet does not implement mutual-TLS endpoints (only enable_endpoint_aliases false is accepted).',
    harmless: (v) => isEmpty(v) || (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && (v as { enable_endpoint_aliases?: unknown }).enable_endpoint_aliases === false),
  },
  pushed_authorization_requests_supported: {
    status: 'stored',
    reason: 'Signet always accepts pushed authorization requests at /oauth/par (another way for an authenticated confidential client to send the same request, so it widens nothing); stored and returned as sent.',
    check: bool,
  },
  authorization_response_iss_parameter_supported: {
    status: 'stored',
    reason: 'Signet always adds iss to authorization responses (RFC 9207; a client that does not know it ignores it); stored and returned as sent.',
    check: bool,
  },
  resource_parameter_profile: {
    status: 'refused',
    reason: 'Signet takes the API from the audience parameter only, never from resource (only "audience" is accepted).',
    harmless: (v) => v === 'audience',
  },
  client_id_metadata_document_supported: { status: 'refused', reason: 'Signet does not fetch client metadata documents (only false is accepted).', harmless: isFalse },
};

/** Auth0 refuses a lifetime in hours and the same lifetime in minutes in one request. */
const EXCLUSIVE: readonly [string, string][] = [
  ['session_lifetime', 'session_lifetime_in_minutes'],
  ['idle_session_lifetime', 'idle_session_lifetime_in_minutes'],
  ['ephemeral_session_lifetime', 'ephemeral_session_lifetime_in_minutes'],
  ['idle_ephemeral_session_lifetime', 'idle_ephemeral_session_lifetime_in_minutes'],
];

export function checkExclusiveLifetimes(body: Record<string, unknown>): void {
  for (const [h, m] of EXCLUSIVE) {
    if (body[h] !== undefined && body[h] !== null && body[m] !== undefined && body[m] !== null) {
      throw new InvalidInputError('invalid_field', `${m} cannot be specified together with ${h}.`, m);
    }
  }
}
