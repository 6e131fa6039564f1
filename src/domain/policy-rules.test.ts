import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { assertPlanAllowsPrivateKeyJwt, planAllowsPrivateKeyJwt, parsePlan } from './plans.ts';
import { assertConfidential, isConfidential } from './app-types.ts';
import { resolveScopes } from './scopes.ts';
import { SecretBox, parseMasterKey } from './secret-box.ts';
import { mintAccessToken, verifyAccessToken } from './access-token.ts';
import { checkTenantSettings, DEFAULT_TENANT_SETTINGS } from './tenant-settings.ts';
import { ForbiddenError, InvalidInputError, OAuthRequestError } from './errors.ts';

test('Private Key JWT needs the Enterprise plan or above, and the refusal names the plan needed', () => {
  for (const p of ['free', 'essentials', 'professional']) {
    assert.equal(planAllowsPrivateKeyJwt(p), false);
    assert.throws(() => assertPlanAllowsPrivateKeyJwt(p), (e: ForbiddenError) => e.code === 'plan_required' && /Enterprise/.test(e.message) && e.message.includes(p));
  }
  for (const p of ['enterprise', 'enterprise_plus']) assert.equal(planAllowsPrivateKeyJwt(p), true);
  assert.equal(planAllowsPrivateKeyJwt('made_up'), false);
  assert.throws(() => parsePlan('gold'), InvalidInputError);
});

test('only Regular Web and Machine to Machine applications are confidential; SPA and Native are told why', () => {
  assert.equal(isConfidential('regular_web'), true);
  assert.equal(isConfidential('non_interactive'), true);
  for (const t of ['spa', 'native']) {
    assert.equal(isConfidential(t), false);
    assert.throws(() => assertConfidential(t), (e: ForbiddenError) => e.code === 'public_client' && /cannot keep a private key secret/.test(e.message));
  }
});

test('scopes: all granted by default, requested ones must all be granted and defined by the API', () => {
  const granted = new Set(['read', 'write', 'gone']);
  const api = new Set(['read', 'write']);
  assert.equal(resolveScopes(undefined, granted, api), 'read write');
  assert.equal(resolveScopes('read', granted, api), 'read');
  assert.throws(() => resolveScopes('read admin', granted, api), (e: OAuthRequestError) => e.error === 'invalid_scope' && /admin/.test(e.message));
  assert.throws(() => resolveScopes('gone', granted, api), (e: OAuthRequestError) => e.error === 'invalid_scope');
});

test('secret box: round trip, bound to its row, tamper-evident', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('s3cret', 'client_secret:a');
  assert.ok(!sealed.includes('s3cret'));
  assert.equal(box.open(sealed, 'client_secret:a'), 's3cret');
  assert.throws(() => box.open(sealed, 'client_secret:b'));
  const parts = sealed.split('.');
  parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64url').toString()).toString('base64url');
  assert.throws(() => box.open(parts.join('.'), 'client_secret:a'));
  assert.throws(() => new SecretBox(randomBytes(16)));
  assert.equal(parseMasterKey('00'.repeat(32)).length, 32);
  assert.throws(() => parseMasterKey('short'));
});

test('access tokens: minted claims verify; wrong issuer, audience, key or expiry do not', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const { token, expiresIn } = await mintAccessToken(
    { issuer: 'https://t.example/', clientId: 'abc', audience: 'https://api/', scope: 'read', lifetimeSeconds: 600, now },
    { kid: 'k1', alg: 'RS256', privateKey },
  );
  assert.equal(expiresIn, 600);
  const keys = new Map([['k1', { alg: 'RS256' as const, key: publicKey }]]);
  const claims = verifyAccessToken(token, { keys, issuers: ['https://t.example/'], audience: 'https://api/', now });
  assert.ok(claims);
  assert.equal(claims.sub, 'abc@clients');
  assert.equal(claims.azp, 'abc');
  assert.equal(claims.scope, 'read');
  assert.equal(claims.exp - claims.iat!, 600);
  assert.equal(verifyAccessToken(token, { keys, issuers: ['https://other/'], audience: 'https://api/', now }), null);
  assert.equal(verifyAccessToken(token, { keys, issuers: ['https://t.example/'], audience: 'https://other/', now }), null);
  assert.equal(verifyAccessToken(token, { keys, issuers: ['https://t.example/'], audience: 'https://api/', now: now + 601_000 }), null);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  assert.equal(verifyAccessToken(token, { keys: new Map([['k1', { alg: 'RS256' as const, key: other }]]), issuers: ['https://t.example/'], audience: 'https://api/', now }), null);
  assert.equal(verifyAccessToken(token.slice(0, -4) + 'AAAA', { keys, issuers: ['https://t.example/'], audience: 'https://api/', now }), null);
});

test('tenant settings are bounded', () => {
  assert.deepEqual(checkTenantSettings({ max_assertion_lifetime: 60 }, DEFAULT_TENANT_SETTINGS).max_assertion_lifetime, 60);
  assert.throws(() => checkTenantSettings({ max_assertion_lifetime: 86400 }, DEFAULT_TENANT_SETTINGS), InvalidInputError);
  assert.throws(() => checkTenantSettings({ clock_skew: -1 }, DEFAULT_TENANT_SETTINGS), InvalidInputError);
  assert.throws(() => checkTenantSettings({ audience_policy: 'loose' as 'strict' }, DEFAULT_TENANT_SETTINGS), InvalidInputError);
});
