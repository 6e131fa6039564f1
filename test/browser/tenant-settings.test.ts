/**
 * The tenant settings page in Chromium: the audience policy with its trade-off in words, changed
 * through the Management API; the warning, on that page and on the application's, while an
 * application relies on the legacy policy; going back to Strict asks first, naming those
 * applications; a bad number is refused next to its field. Screenshots under test-output/screenshots.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, Route } from 'playwright-core';
import { startSignet, type Harness } from '../support/harness.ts';
import { assertStaysAbsent, axeAudit, launchBrowser, requireChromium, screenshot } from '../support/browser.ts';
import { assertionForm, createM2MApp, signedForm, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { waitFor } from '../support/token-load.ts';

const EMAIL = 'settings@example.com';
const PASSWORD = 'settings test passphrase';

describe('tenant settings in Chromium', { concurrency: false }, () => {
  let h: Harness;
  let browser: Browser;
  let origin: string;
  let available = true;

  before(async (t) => {
    available = requireChromium(t as unknown as { skip(msg: string): void });
    if (!available) return;
    h = await startSignet();
    origin = `https://signet.test:${h.port}`;
    await h.services.admins.create(EMAIL, PASSWORD);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const settingsNow = async () => (await h.defaultTenant.api('GET', '/tenants/settings')).body as { audience_policy: string; max_assertion_lifetime: number };
  /** A token whose assertion names the token endpoint URL as `aud`, as authlib sends by default. */
  const legacyToken = async (app: M2MApp) => {
    const tenant = h.defaultTenant;
    const form = assertionForm(signClientAssertion({ clientId: app.clientId, audience: `${tenant.issuer}oauth/token`, privateKey: app.privateKey }), app.audience);
    return (await h.token(tenant, form)).status;
  };

  test('audience policy: explained, switched to Legacy, a relying application is named on both pages, back to Strict only after a confirmation naming it', async (t) => {
    if (!available) return t.skip('no Chromium');
    const worker = await createM2MApp(h.defaultTenant, { name: 'authlib worker' });
    const modern = await createM2MApp(h.defaultTenant, { name: 'modern worker', audience: worker.audience });
    // axe is injected as a script: only this context bypasses the CSP, to let it in.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, viewport: { width: 1280, height: 800 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();

    // Every warning comes with the usage report, so each absence below is checked once it is read.
    const usageRead = () => page.waitForResponse((r) => r.url().endsWith('/tenants/settings/legacy-audience-clients'));

    // From the navigation; Strict is the default, active, and the page says why.
    const firstUsage = usageRead();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    const strict = page.getByRole('radio', { name: 'Strict (recommended)' });
    const legacy = page.getByRole('radio', { name: 'Legacy' });
    assert.equal(await strict.isChecked(), true);
    await page.getByText('Why Strict is the default.').waitFor();
    await page.getByText(/replay that proof here to get tokens as your application/).waitFor();
    assert.equal(await page.getByLabel('Maximum assertion lifetime (seconds)').inputValue(), '300');
    assert.equal(await page.getByLabel('Clock skew (seconds)').inputValue(), '10');
    assert.equal(await page.getByLabel('Log retention (days)').inputValue(), '30');
    await firstUsage;
    await assertStaysAbsent(page.locator('.banner-warning'), 'no warning under Strict');
    await axeAudit(page, 'tenant settings');

    // A bad number is refused next to its field, and nothing changes.
    await page.getByLabel('Maximum assertion lifetime (seconds)').fill('5');
    await page.getByRole('button', { name: 'Save Settings' }).click();
    await page.getByRole('alert').filter({ hasText: 'max_assertion_lifetime must be an integer between 10 and 3600 seconds.' }).waitFor();
    assert.equal((await settingsNow()).max_assertion_lifetime, 300);
    await page.getByLabel('Maximum assertion lifetime (seconds)').fill('300');

    // Legacy: saved through the Management API; nothing relies on it yet.
    await legacy.check();
    await page.getByRole('button', { name: 'Save Settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    assert.equal((await settingsNow()).audience_policy, 'legacy');
    await page.getByText(/The legacy audience policy is on, but no application has needed it/).waitFor();

    // One application gets a token only the legacy policy allows; the other sends the issuer.
    assert.equal(await legacyToken(worker), 200);
    assert.equal((await h.token(h.defaultTenant, signedForm(h.defaultTenant, modern))).status, 200);
    await h.services.legacyAudience.flush();
    await page.reload();
    const warning = page.getByRole('region', { name: 'Applications relying on the legacy audience policy' });
    await warning.getByText('1 application relies on the legacy audience policy.').waitFor();
    assert.equal(await warning.getByRole('link', { name: 'authlib worker' }).count(), 1);
    assert.equal(await warning.getByRole('link', { name: 'modern worker' }).count(), 0);
    await screenshot(page, 'tenant-settings-legacy-warning');
    await axeAudit(page, 'tenant settings with the legacy warning');

    // The application's own page says so, with the audience to use instead; the other's does not.
    await warning.getByRole('link', { name: 'authlib worker' }).click();
    await page.getByRole('heading', { name: 'authlib worker' }).waitFor();
    const appWarning = page.getByRole('region', { name: 'Legacy audience' });
    await appWarning.getByText(/relies on the tenant’s legacy audience policy/).waitFor();
    assert.match(await appWarning.innerText(), new RegExp(h.defaultTenant.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await screenshot(page, 'application-legacy-warning');
    await axeAudit(page, 'application with the legacy warning');
    const modernUsage = usageRead();
    await page.goto(`${origin}/dashboard/t/default/applications/${modern.clientId}/settings`);
    await page.getByRole('heading', { name: 'modern worker' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();
    await modernUsage;
    await assertStaysAbsent(page.getByRole('region', { name: 'Legacy audience' }), 'no warning on the application that sends the issuer');

    // Back to Strict: the confirmation names the application that will be refused.
    await appWarning.page().goto(`${origin}/dashboard/t/default/settings`);
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await warning.waitFor();
    await strict.check();
    await page.getByRole('button', { name: 'Save Settings' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('authlib worker').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await settingsNow()).audience_policy, 'legacy', 'cancelled: nothing changed');
    await page.getByRole('button', { name: 'Save Settings' }).click();
    // The page reads the usage report again after the save; that answer is held back here, so the
    // warning must go with the saved setting itself, not wait for the report (as it once did, and
    // a slow machine saw the stale warning).
    const held: Route[] = [];
    await page.route('**/tenants/settings/legacy-audience-clients', (route) => void held.push(route));
    await page.getByRole('dialog').getByRole('button', { name: 'Switch to Strict' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    assert.equal((await settingsNow()).audience_policy, 'strict');
    assert.equal(await warning.count(), 0, 'no warning once Strict is on');
    await waitFor(() => held.length === 1, 5000);
    await held[0]!.continue();
    await page.unroute('**/tenants/settings/legacy-audience-clients');
    assert.equal(await legacyToken(worker), 401, 'and the legacy-style assertion is refused again');
    const workerUsage = usageRead();
    await page.goto(`${origin}/dashboard/t/default/applications/${worker.clientId}/settings`);
    await page.getByRole('heading', { name: 'authlib worker' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();
    await workerUsage;
    await assertStaysAbsent(page.getByRole('region', { name: 'Legacy audience' }), 'no warning on its page once Strict is on');
  });
});
