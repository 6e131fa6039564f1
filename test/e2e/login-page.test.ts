/**
 * The hosted login page's POST, over HTTPS against the real server and user directory: one
 * generic message for a wrong password or an unknown email, a clear one for a blocked user,
 * a 429 page when throttled; every attempt logged (s, fp, fu, f) with the reason, the
 * application, the user and the client's address; markup typed into any field comes back as
 * text. A successful sign-in answers 303 and ends, through the token endpoint, in an ID token
 * carrying the nonce, sid and auth_time that /authorize recorded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { authorizePath, browse, codeRequest, CookieJar, hiddenField, makeUser, webApp } from '../support/authorize-helpers.ts';
import { codeForm, createWebApp, pkcePair, verifyIdToken } from '../support/sign-in.ts';
import { logsOfType } from '../support/refusal-helpers.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

/** The login page of a fresh transaction for `app`, in a browser of its own. */
async function loginPage(app: { clientId: string; callback: string }) {
  const start = await browse(h, tenant, authorizePath(codeRequest(app).params));
  const page = await browse(h, tenant, start.location!, start.jar);
  assert.equal(page.status, 200, page.text);
  return { jar: start.jar, state: hiddenField(page.text, 'state')!, csrf: hiddenField(page.text, 'csrf')! };
}

const post = (p: { jar: CookieJar; state: string; csrf: string }, email: string, password: string) =>
  browse(h, tenant, '/u/login', p.jar, { method: 'POST', form: { state: p.state, csrf: p.csrf, email, password } });

const alertText = (html: string) => /<div role="alert" id="error">([^<]*)<\/div>/.exec(html)?.[1];

test('a wrong password and an unknown email get the same message; a blocked user is told; each is logged with its reason', async () => {
  const app = await webApp(tenant, { name: 'Shop <web>' });
  const user = await makeUser(h, tenant);
  const p = await loginPage(app);
  const wrong = await post(p, user.email, 'not the password 1');
  assert.equal(wrong.status, 401);
  assert.equal(alertText(wrong.text), 'Wrong email or password.');
  assert.equal(hiddenField(wrong.text, 'state'), p.state, 'the same transaction continues');
  assert.match(wrong.text, new RegExp(`value="${user.email.replace(/[.]/g, '\\.')}"`), 'the email is kept');
  const unknown = await post(p, 'nobody@example.com', 'whatever 12345');
  assert.equal(unknown.status, 401);
  assert.equal(alertText(unknown.text), alertText(wrong.text), 'no difference an attacker could read');

  const blockedUser = await makeUser(h, tenant, { blocked: true });
  const blocked = await post(await loginPage(app), blockedUser.email, blockedUser.password);
  assert.equal(blocked.status, 403);
  assert.match(alertText(blocked.text) ?? '', /blocked/);

  const fp = (await logsOfType(tenant, 'fp')).find((e: any) => e.user_name === user.email);
  assert.ok(fp, 'fp logged');
  assert.equal(fp.user_id, user.userId);
  assert.equal(fp.client_id, app.clientId);
  assert.equal(fp.client_name, 'Shop <web>');
  assert.equal(fp.details.reason, 'wrong_password');
  assert.ok(fp.ip);
  assert.ok(!JSON.stringify(fp).includes('not the password'), 'never the password');
  const fu = (await logsOfType(tenant, 'fu')).find((e: any) => e.user_name === 'nobody@example.com');
  assert.equal(fu?.details.reason, 'unknown_user');
  const f = (await logsOfType(tenant, 'f')).find((e: any) => e.user_name === blockedUser.email);
  assert.equal(f?.details.reason, 'blocked');
  assert.equal(f?.user_id, blockedUser.userId);
});

test('repeated wrong passwords are throttled: a 429 page with Retry-After, logged', async () => {
  const app = await webApp(tenant);
  const user = await makeUser(h, tenant);
  const p = await loginPage(app);
  let last: Awaited<ReturnType<typeof post>> | undefined;
  for (let i = 0; i < 12; i++) {
    last = await post(p, user.email, `wrong ${i} password`);
    if (last.status === 429) break;
    assert.equal(last.status, 401);
  }
  assert.equal(last!.status, 429, 'throttled within 12 attempts');
  assert.match(alertText(last!.text) ?? '', /Too many sign-in attempts\. Wait \d+ (second|minute)s? and try again\./);
  assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/);
  // Even the right password waits now.
  assert.equal((await post(p, user.email, user.password)).status, 429);
  assert.ok((await logsOfType(tenant, 'f')).some((e: any) => e.user_name === user.email && e.details.reason === 'too_many_attempts'));
});

test('markup typed into any field comes back as text', async () => {
  const app = await webApp(tenant);
  const p = await loginPage(app);
  const markup = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
  const r = await post(p, markup, markup);
  assert.equal(r.status, 401);
  assert.doesNotMatch(r.text, /<script>alert|<img src=x/);
  assert.match(r.text, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;"/);
  assert.doesNotMatch(r.text, /name="password"[^>]*value=/, 'the password is never echoed');
  const hidden = await browse(h, tenant, '/u/login', p.jar, { method: 'POST', form: { state: `${p.state}"><script>`, csrf: p.csrf, email: 'a@b.c', password: 'x' } });
  assert.equal(hidden.status, 400);
  assert.doesNotMatch(hidden.text, /<script>/);
});

test('sign-in answers 303, and the code becomes an ID token with the nonce, sid and auth_time recorded', async () => {
  const app = await createWebApp(tenant);
  const user = await makeUser(h, tenant);
  const { verifier, challenge } = pkcePair();
  const nonce = 'n-0S6_WzA2Mj';
  const p = await (async () => {
    const start = await browse(h, tenant, authorizePath({ response_type: 'code', client_id: app.clientId, redirect_uri: app.callback, scope: 'openid profile email', state: 'xyz', nonce, code_challenge: challenge, code_challenge_method: 'S256' }));
    const page = await browse(h, tenant, start.location!, start.jar);
    return { jar: start.jar, state: hiddenField(page.text, 'state')!, csrf: hiddenField(page.text, 'csrf')! };
  })();
  const before = h.clock.now();
  const ok = await post(p, user.email, user.password);
  assert.equal(ok.status, 303, ok.text);
  assert.equal(ok.location, `/authorize/resume?state=${p.state}`);
  const sso = (ok.headers as unknown as { getSetCookie(): string[] }).getSetCookie().find((c) => c.startsWith('__Host-signet_sso='))!;
  assert.match(sso, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800; Secure$/, 'Auth0 default: 7 days');
  const resume = await browse(h, tenant, ok.location!, p.jar);
  assert.equal(resume.status, 302);
  const q = new URL(resume.location!).searchParams;
  assert.equal(q.get('state'), 'xyz');
  // The transaction is finished: the resume URL yields no second code.
  assert.equal((await browse(h, tenant, ok.location!, p.jar)).status, 400);

  const token = await h.token(tenant, codeForm(tenant, app, q.get('code')!, { code_verifier: verifier }));
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const claims = await verifyIdToken(h, tenant, token.body.id_token, app.clientId);
  assert.equal(claims.sub, user.userId);
  assert.equal(claims.nonce, nonce);
  assert.equal(typeof claims.sid, 'string');
  assert.ok((claims.auth_time as number) * 1000 >= before - 1000);
  const s = (await logsOfType(tenant, 's')).find((e: any) => e.user_id === user.userId);
  assert.ok(s, 's logged');
  assert.equal(s.details.sid, claims.sid);

  // Two racing resumes of one sign-in: exactly one code.
  const p2 = await loginPage(app);
  const ok2 = await post(p2, user.email, user.password);
  assert.equal(ok2.status, 303);
  const racing = await Promise.all(Array.from({ length: 6 }, () => browse(h, tenant, ok2.location!, p2.jar.clone())));
  assert.equal(racing.filter((r) => r.status === 302).length, 1, `statuses ${racing.map((r) => r.status)}`);

});
