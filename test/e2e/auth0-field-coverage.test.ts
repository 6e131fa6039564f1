/**
 * Field-by-field coverage of Auth0's Management API objects, generated from the auth0 v7 SDK's
 * request types (read at test time, see test/support/sdk-fields.ts). For clients, client grants,
 * resource servers and tenant settings, every property of Auth0's create and update bodies is:
 * - supported: sent with a valid value through the SDK's ManagementClient, it comes back equal
 *   from the create/update response, from the SDK's get and from a plain GET; or
 * - refused by name: a 400 in Auth0's error shape whose message names the field, and nothing is
 *   created or changed.
 * A field that is neither (accepted but not returned: silently ignored) fails the spec, as does
 * a field the SDK has and the rule tables in src/domain/object-fields do not, or a disagreement
 * between a table and what the server does. Each spec prints its figures.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManagementClient } from 'auth0';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createApi, keyPairFor } from '../support/fixtures.ts';
import { sdkRequestFields } from '../support/sdk-fields.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import type { FieldRules } from '../../src/domain/object-fields/field-rules.ts';
import { CLIENT_FIELDS } from '../../src/domain/object-fields/client-fields.ts';
import { CLIENT_GRANT_FIELDS } from '../../src/domain/object-fields/client-grant-fields.ts';
import { RESOURCE_SERVER_FIELDS } from '../../src/domain/object-fields/resource-server-fields.ts';
import { TENANT_SETTING_FIELDS } from '../../src/domain/object-fields/tenant-setting-fields.ts';

type Obj = Record<string, any>;
type Op = 'create' | 'update';
interface Ctx {
  tenant: TestTenant;
  /** The object an update sample is sent to. */
  id?: string;
}
/** A valid value (or a function making one for the object at hand) and, when it is not returned as sent, how to check it. */
interface Sample {
  value: unknown | ((ctx: Ctx) => unknown | Promise<unknown>);
  expect?: (got: unknown, sent: any) => void;
}

interface ObjectSpec {
  object: string;
  rules: FieldRules;
  createType?: string;
  updateType: string;
  samples: Record<string, Sample | unknown>;
  /** For each refused field: a value Signet must refuse (its harmless values, if any, are in samples). */
  refusals: Record<string, unknown>;
  base(ctx: Ctx): Promise<Obj>;
  sdkCreate?(mc: ManagementClient, body: Obj): Promise<Obj>;
  sdkUpdate(mc: ManagementClient, id: string, body: Obj): Promise<Obj>;
  sdkGet(mc: ManagementClient, id: string): Promise<Obj>;
  /** The raw Management API paths. */
  collection?: string;
  item(id: string): string;
  idOf(o: Obj): string;
  /** A fresh object to update (its id). */
  fresh(ctx: Ctx): Promise<string>;
}

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

const sdkFor = async (harness: Harness, tenant: TestTenant) => new ManagementClient({ domain: tenant.domain, token: await tenant.managementToken(), fetch: harness.fetch });
const isSample = (s: unknown): s is Sample => typeof s === 'object' && s !== null && 'value' in s && Object.keys(s).every((k) => k === 'value' || k === 'expect');

interface Coverage {
  fields: string[];
  supported: string[];
  refused: string[];
  harmless: string[];
  ignored: string[];
  problems: string[];
}

async function cover(spec: ObjectSpec, harness: Harness): Promise<Coverage> {
  const tenant = await harness.createTenant();
  const mc = await sdkFor(harness, tenant);
  const createFields = spec.createType ? sdkRequestFields(spec.createType) : [];
  const updateFields = sdkRequestFields(spec.updateType);
  const fields = [...new Set([...createFields, ...updateFields])].sort();
  const cov: Coverage = { fields, supported: [], refused: [], harmless: [], ignored: [], problems: [] };

  for (const field of fields) {
    const ops: Op[] = [...(createFields.includes(field) ? ['create' as const] : []), ...(updateFields.includes(field) ? ['update' as const] : [])];
    const rule = spec.rules[field];
    if (!rule) cov.problems.push(`${field}: in the SDK but not in the rule table`);
    const raw = spec.samples[field];
    const sample: Sample | undefined = raw === undefined ? undefined : isSample(raw) ? raw : { value: raw };

    if (field in spec.refusals) {
      if (rule && rule.status !== 'refused') cov.problems.push(`${field}: refused by the spec but ${rule.status} in the table`);
      let named = true;
      for (const op of ops) if (!(await refusedByName(spec, tenant, op, field, spec.refusals[field]))) named = false;
      if (named) cov.refused.push(field);
      else cov.problems.push(`${field}: not refused by name`);
      if (sample) {
        if (rule?.status === 'refused' && !('harmless' in rule && rule.harmless)) cov.problems.push(`${field}: a harmless sample but no harmless values in the table`);
        if (await roundTrips(spec, mc, tenant, ops, field, sample)) cov.harmless.push(field);
        else cov.ignored.push(`${field} (harmless value)`);
      }
    } else if (sample) {
      if (rule?.status === 'refused') cov.problems.push(`${field}: refused in the table but the spec has only a valid sample`);
      if (await roundTrips(spec, mc, tenant, ops, field, sample)) cov.supported.push(field);
      else cov.ignored.push(field);
    } else {
      cov.problems.push(`${field}: neither a supported sample nor a refusal in this spec (decide, in the table and here)`);
    }
  }
  return cov;
}

const sameAs = (got: unknown, sent: unknown) => assert.deepEqual(got, sent);

async function roundTrips(spec: ObjectSpec, mc: ManagementClient, tenant: TestTenant, ops: Op[], field: string, sample: Sample): Promise<boolean> {
  const check = sample.expect ?? sameAs;
  try {
    for (const op of ops) {
      let id: string;
      let sent: unknown;
      let returned: Obj;
      if (op === 'create') {
        sent = typeof sample.value === 'function' ? await sample.value({ tenant }) : sample.value;
        returned = await spec.sdkCreate!(mc, { ...(await spec.base({ tenant })), [field]: sent });
        id = spec.idOf(returned);
      } else {
        id = await spec.fresh({ tenant });
        sent = typeof sample.value === 'function' ? await sample.value({ tenant, id }) : sample.value;
        returned = await spec.sdkUpdate(mc, id, { [field]: sent });
      }
      check(returned[field], sent);
      check((await spec.sdkGet(mc, id))[field], sent);
      const got = await tenant.api('GET', spec.item(id));
      assert.equal(got.status, 200, JSON.stringify(got.body));
      check(got.body[field], sent);
    }
    return true;
  } catch (err) {
    console.error(`${spec.object}.${field} did not round-trip:`, (err as Error).message.slice(0, 400));
    return false;
  }
}

async function refusedByName(spec: ObjectSpec, tenant: TestTenant, op: Op, field: string, value: unknown): Promise<boolean> {
  let r: { status: number; body: any };
  let unchanged: () => Promise<void>;
  if (op === 'create') {
    const before = (await tenant.api('GET', spec.collection!)).body;
    r = await tenant.api('POST', spec.collection!, { ...(await spec.base({ tenant })), [field]: value });
    unchanged = async () => assert.deepEqual((await tenant.api('GET', spec.collection!)).body, before);
  } else {
    const id = await spec.fresh({ tenant });
    const before = (await tenant.api('GET', spec.item(id))).body;
    r = await tenant.api('PATCH', spec.item(id), { [field]: value });
    unchanged = async () => assert.deepEqual((await tenant.api('GET', spec.item(id))).body, before);
  }
  try {
    assert.equal(r.status, 400, `${op} ${field}: ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(r.body.statusCode, 400);
    assert.equal(r.body.error, 'Bad Request');
    assert.equal(typeof r.body.errorCode, 'string');
    assert.ok(String(r.body.message).includes(field), `${op} ${field}: the message does not name the field: ${r.body.message}`);
    assert.match(r.body.message, /not supported/, `${op} ${field}: ${r.body.message}`);
    await unchanged();
    return true;
  } catch (err) {
    console.error(`${spec.object}.${field}:`, (err as Error).message.slice(0, 400));
    return false;
  }
}

function report(t: { diagnostic(s: string): void }, object: string, cov: Coverage) {
  const line =
    `${object}: ${cov.fields.length} fields in Auth0's create/update bodies — supported ${cov.supported.length}, ` +
    `refused by name ${cov.refused.length} (of which ${cov.harmless.length} also accept a harmless value), silently ignored ${cov.ignored.length}`;
  t.diagnostic(line);
  console.log(`[field coverage] ${line}`);
  assert.deepEqual(cov.problems, [], `${object}: ${cov.problems.join('; ')}`);
  assert.deepEqual(cov.ignored, [], `${object}: silently ignored: ${cov.ignored.join(', ')}`);
  assert.equal(cov.supported.length + cov.refused.length, cov.fields.length);
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

const URL_A = 'https://app.example.com';
const CERT_PEM_LIKE = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

const clientSpec: ObjectSpec = {
  object: 'clients',
  rules: CLIENT_FIELDS,
  createType: 'CreateClientRequestContent',
  updateType: 'UpdateClientRequestContent',
  samples: {
    name: 'Round trip',
    description: 'An application described.',
    app_type: 'non_interactive',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    callbacks: [`${URL_A}/callback`],
    allowed_origins: [URL_A],
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 3600, secret_encoded: false, scopes: {} },
    client_authentication_methods: {
      // Create uploads a public key; update enables a credential already on the client. Either way the
      // response lists the enabled credentials by id.
      value: async (ctx: Ctx) => {
        if (!ctx.id) return { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k1', pem: keyPairFor('RS256').publicKeyPem, alg: 'RS256' }] } };
        const cred = await ctx.tenant.api('POST', `/clients/${ctx.id}/credentials`, { credential_type: 'public_key', name: 'k1', pem: keyPairFor('RS256').publicKeyPem, alg: 'RS256' });
        assert.equal(cred.status, 201, JSON.stringify(cred.body));
        return { private_key_jwt: { credentials: [{ id: cred.body.id }] } };
      },
      expect: (got: any, sent: any) => {
        assert.equal(got.private_key_jwt.credentials.length, 1);
        assert.match(got.private_key_jwt.credentials[0].id, /^cred_/);
        if (sent.private_key_jwt.credentials[0].id) assert.deepEqual(got, sent);
      },
    },
    logo_uri: `${URL_A}/logo.png`,
    web_origins: [URL_A],
    allowed_logout_urls: [`${URL_A}/bye`],
    client_aliases: ['urn:example:app'],
    allowed_clients: ['AnotherClientId'],
    client_metadata: { team: 'payments', 'cost center': '42' },
    oidc_conformant: true,
    sso: true,
    sso_disabled: true,
    cross_origin_authentication: true,
    cross_origin_loc: `${URL_A}/cross`,
    custom_login_page_on: false,
    custom_login_page: '<html><body>login</body></html>',
    custom_login_page_preview: '<html><body>preview</body></html>',
    form_template: '<form></form>',
    initiate_login_uri: `${URL_A}/login`,
    mobile: { android: { app_package_name: 'com.example.app', sha256_cert_fingerprints: ['AB:CD:EF'] }, ios: { team_id: 'ABCDE12345', app_bundle_identifier: 'com.example.app' } },
    native_social_login: { apple: { enabled: true }, google: { enabled: false } },
    fedcm_login: { google: { enabled: true } },
    oidc_logout: { backchannel_logout_urls: [`${URL_A}/bcl`], backchannel_logout_initiators: { mode: 'all' } },
    oidc_backchannel_logout: { backchannel_logout_urls: [`${URL_A}/bcl`] },
    session_transfer: { can_create_session_transfer_token: false },
    refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 2592000, idle_token_lifetime: 1296000, infinite_token_lifetime: false, infinite_idle_token_lifetime: false },
    organization_usage: 'allow',
    organization_require_behavior: 'pre_login_prompt',
    organization_discovery_methods: ['email'],
    skip_non_verifiable_callback_uri_confirmation_prompt: false,
    token_exchange: { allow_any_profile_of_type: ['on_behalf_of_token_exchange'] },
    par_request_expiry: 60,
    third_party_security_mode: 'strict',
    redirection_policy: 'open_redirect_protection',
    express_configuration: {
      initiate_login_uri_template: `${URL_A}/login?org={organization_name}`,
      user_attribute_profile_id: 'uap_1',
      connection_profile_id: 'cp_1',
      enable_client: true,
      enable_organization: false,
      okta_oin_client_id: 'oin_1',
      admin_login_domain: 'admin.example.com',
    },
    b2b_integration_configuration: { sso_profiles: ['profile-1'] },
    my_organization_configuration: { allowed_strategies: ['samlp'], connection_deletion_behavior: 'allow' },
    async_approval_notification_channels: ['email'],
    require_pushed_authorization_requests: true,
    // Harmless values of refused fields: what Signet does anyway.
    is_first_party: true,
    is_token_endpoint_ip_header_trusted: false,
    require_proof_of_possession: false,
    signed_request_object: { required: false },
    addons: {},
    compliance_level: 'none',
    identity_assertion_authorization_grant: { active: false },
    anonymous_sessions: { active: false },
  },
  refusals: {
    is_first_party: false,
    is_token_endpoint_ip_header_trusted: true,
    require_proof_of_possession: true,
    signed_request_object: { required: true },
    encryption_key: { pub: CERT_PEM_LIKE, cert: CERT_PEM_LIKE, subject: '/CN=app.example.com' },
    addons: { samlp: { audience: 'urn:example' } },
    default_organization: { organization_id: 'org_1', flows: ['client_credentials'] },
    token_quota: { client_credentials: { enforce: true, per_hour: 10 } },
    compliance_level: 'fapi2_sp_pkj_mtls',
    token_vault_privileged_access: { credentials: [] },
    resource_server_identifier: 'https://api.example.com/',
    identity_assertion_authorization_grant: { active: true },
    anonymous_sessions: { active: true },
    client_secret: 'a-secret-the-caller-chose-1234567890',
  },
  base: async () => ({ name: 'Coverage app' }),
  sdkCreate: (mc, body) => mc.clients.create(body as any) as Promise<Obj>,
  sdkUpdate: (mc, id, body) => mc.clients.update(id, body as any) as Promise<Obj>,
  sdkGet: (mc, id) => mc.clients.get(id) as Promise<Obj>,
  collection: '/clients',
  item: (id) => `/clients/${id}`,
  idOf: (o) => o.client_id,
  fresh: async ({ tenant }) => {
    const r = await tenant.api('POST', '/clients', { name: 'To update' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.client_id;
  },
};

/** One API per tenant for the grants, with the scopes the samples use. */
const apiOf = new Map<string, string>();
async function grantApi(tenant: TestTenant): Promise<string> {
  if (!apiOf.has(tenant.domain)) apiOf.set(tenant.domain, await createApi(tenant, `https://grants-${randomBytes(3).toString('hex')}.example.com/`, ['read:things', 'write:things']));
  return apiOf.get(tenant.domain)!;
}
async function newClientId(tenant: TestTenant): Promise<string> {
  const r = await tenant.api('POST', '/clients', { name: 'Grantee', app_type: 'non_interactive' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.client_id;
}

const grantSpec: ObjectSpec = {
  object: 'client grants',
  rules: CLIENT_GRANT_FIELDS,
  createType: 'CreateClientGrantRequestContent',
  updateType: 'UpdateClientGrantRequestContent',
  samples: {
    client_id: { value: ({ tenant }: Ctx) => newClientId(tenant) },
    audience: { value: ({ tenant }: Ctx) => grantApi(tenant) },
    scope: ['read:things'],
    allow_any_organization: true,
    organization_usage: 'allow',
    subject_type: 'client',
    authorization_details_types: [],
    allow_all_scopes: false,
  },
  refusals: {
    organization_usage: 'require',
    subject_type: 'user',
    authorization_details_types: ['payment_initiation'],
    allow_all_scopes: true,
    default_for: 'third_party_clients',
  },
  base: async ({ tenant }) => ({ client_id: await newClientId(tenant), audience: await grantApi(tenant), scope: ['write:things'] }),
  sdkCreate: (mc, body) => mc.clientGrants.create(body as any) as Promise<Obj>,
  sdkUpdate: (mc, id, body) => mc.clientGrants.update(id, body as any) as Promise<Obj>,
  sdkGet: (mc, id) => mc.clientGrants.get(id) as Promise<Obj>,
  collection: '/client-grants',
  item: (id) => `/client-grants/${id}`,
  idOf: (o) => o.id,
  fresh: async ({ tenant }) => {
    const r = await tenant.api('POST', '/client-grants', { client_id: await newClientId(tenant), audience: await grantApi(tenant), scope: ['write:things'] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  },
};

const apiIdentifier = () => `https://rs-${randomBytes(4).toString('hex')}.example.com/`;
const resourceServerSpec: ObjectSpec = {
  object: 'resource servers',
  rules: RESOURCE_SERVER_FIELDS,
  createType: 'CreateResourceServerRequestContent',
  updateType: 'UpdateResourceServerRequestContent',
  samples: {
    name: 'Orders API',
    identifier: { value: () => apiIdentifier() },
    scopes: [{ value: 'read:orders', description: 'Read orders' }],
    signing_alg: 'PS256',
    signing_secret: 'a-signing-secret-of-at-least-16',
    token_lifetime: 7200,
    allow_offline_access: true,
    allow_online_access: true,
    allow_online_access_with_ephemeral_sessions: false,
    skip_consent_for_verifiable_first_party_clients: true,
    enforce_policies: true,
    token_lifetime_for_anonymous_access_tokens: 600,
    token_dialect: 'access_token',
    subject_type_authorization: { user: { policy: 'allow_all' }, client: { policy: 'require_client_grant' } },
    authorization_details: [],
  },
  refusals: {
    token_dialect: 'rfc9068_profile',
    subject_type_authorization: { client: { policy: 'deny_all' } },
    token_encryption: { format: 'compact-nested-jwe', encryption_key: { name: 'k', alg: 'RSA-OAEP-256', pem: CERT_PEM_LIKE } },
    proof_of_possession: { mechanism: 'dpop', required: true },
    consent_policy: 'transactional-authorization-with-mfa',
    authorization_details: [{ type: 'payment_initiation' }],
    authorization_policy: { policy_id: 'pol_1' },
  },
  base: async () => ({ identifier: apiIdentifier() }),
  sdkCreate: (mc, body) => mc.resourceServers.create(body as any) as Promise<Obj>,
  sdkUpdate: (mc, id, body) => mc.resourceServers.update(id, body as any) as Promise<Obj>,
  sdkGet: (mc, id) => mc.resourceServers.get(id) as Promise<Obj>,
  collection: '/resource-servers',
  item: (id) => `/resource-servers/${id}`,
  idOf: (o) => o.id,
  fresh: async ({ tenant }) => {
    const r = await tenant.api('POST', '/resource-servers', { identifier: apiIdentifier() });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  },
};

const tenantSettingsSpec: ObjectSpec = {
  object: 'tenant settings',
  rules: TENANT_SETTING_FIELDS,
  updateType: 'UpdateTenantSettingsRequestContent',
  samples: {
    friendly_name: 'Acme Payments',
    picture_url: 'https://acme.example.com/logo.png',
    support_email: 'support@acme.example.com',
    support_url: 'https://acme.example.com/support',
    default_audience: 'https://api.acme.example.com/',
    default_directory: 'Username-Password-Authentication',
    allowed_logout_urls: ['https://acme.example.com/'],
    session_lifetime: 168,
    session_lifetime_in_minutes: 600,
    idle_session_lifetime: 72,
    idle_session_lifetime_in_minutes: 120,
    ephemeral_session_lifetime: 24,
    ephemeral_session_lifetime_in_minutes: 90,
    idle_ephemeral_session_lifetime: 12.5,
    idle_ephemeral_session_lifetime_in_minutes: 30,
    session_cookie: { mode: 'non-persistent' },
    sessions: { oidc_logout_prompt_enabled: false },
    oidc_logout: { rp_logout_end_session_endpoint_discovery: true },
    change_password: { enabled: true, html: '<p>change</p>' },
    guardian_mfa_page: { enabled: false, html: '<p>mfa</p>' },
    error_page: { url: 'https://acme.example.com/error', show_log_link: false },
    device_flow: { charset: 'base20', mask: '****-****' },
    default_redirection_uri: 'https://acme.example.com/login',
    enabled_locales: ['en', 'fr'],
    security_headers: { content_security_policy: null },
    sandbox_version: '22',
    legacy_sandbox_version: '18',
    customize_mfa_in_postlogin_action: true,
    allow_organization_name_in_authentication_api: false,
    skip_non_verifiable_callback_uri_confirmation_prompt: false,
    enable_ai_guide: false,
    phone_consolidated_experience: false,
    include_session_metadata_in_tenant_logs: false,
    dynamic_client_registration_security_mode: 'strict',
    country_codes: { list: ['FR', 'DE'], mode: 'allow' },
    pushed_authorization_requests_supported: true,
    authorization_response_iss_parameter_supported: true,
    flags: {},
    acr_values_supported: [],
    mtls: { enable_endpoint_aliases: false },
    resource_parameter_profile: 'audience',
    client_id_metadata_document_supported: false,
  },
  refusals: {
    flags: { enable_client_connections: false },
    default_token_quota: { clients: { client_credentials: { enforce: true, per_day: 100 } } },
    acr_values_supported: ['urn:mace:incommon:iap:silver'],
    mtls: { enable_endpoint_aliases: true },
    resource_parameter_profile: 'compatibility',
    client_id_metadata_document_supported: true,
  },
  base: async () => ({}),
  sdkUpdate: (mc, _id, body) => mc.tenants.settings.update(body as any) as Promise<Obj>,
  sdkGet: (mc) => mc.tenants.settings.get() as Promise<Obj>,
  item: () => '/tenants/settings',
  idOf: () => 'settings',
  fresh: async () => 'settings',
};

const SPECS = [clientSpec, grantSpec, resourceServerSpec, tenantSettingsSpec];

describe('Auth0 field coverage (from the auth0 v7 SDK types)', () => {
  for (const spec of SPECS) {
    test(`${spec.object}: every field is supported (round-trips) or refused by name`, async (t) => {
      report(t, spec.object, await cover(spec, h));
    });
  }

  test('the rule tables name no field the SDK lacks, except documented Auth0 extras and Signet settings', () => {
    const extras: Record<string, readonly string[]> = {
      clients: [],
      'client grants': [],
      // Auth0 accepts and returns token_lifetime_for_web although the v7 request types omit it.
      'resource servers': ['token_lifetime_for_web'],
      'tenant settings': [
        'max_assertion_lifetime',
        'clock_skew',
        'audience_policy',
        'log_retention_days',
        'token_rate_limit_per_client',
        'token_rate_limit_per_address',
        'management_rate_limit_per_token',
        'rate_limit_window',
      ],
    };
    for (const spec of [clientSpec, grantSpec, resourceServerSpec, tenantSettingsSpec]) {
      const sdk = new Set([...(spec.createType ? sdkRequestFields(spec.createType) : []), ...sdkRequestFields(spec.updateType)]);
      const unknown = Object.keys(spec.rules).filter((f) => !sdk.has(f));
      assert.deepEqual(unknown.sort(), [...extras[spec.object]!].sort(), spec.object);
    }
  });
});

describe('Auth0 field coverage on PostgreSQL', async () => {
  // The same round trips through the PostgreSQL store (the extras JSON columns, the sealed API secret).
  let pgh: Harness | undefined;
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  before(async () => {
    if (!(await postgresAvailable())) return;
    db = await freshPostgresDatabase();
    pgh = await startSignet({ databaseUrl: db.url });
  });
  after(async () => {
    await pgh?.close();
    await db?.drop();
  });
  for (const spec of SPECS) {
    test(`${spec.object} (PostgreSQL)`, async (t) => {
      if (!(await requirePostgres(t))) return;
      report(t, `${spec.object} (PostgreSQL)`, await cover(spec, pgh!));
    });
  }
});
