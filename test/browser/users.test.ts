/**
 * The Users page in Chromium against a real Signet: create a user (a common password refused
 * at its field first), search by email, reset a password, block, and delete, each checked in
 * the database and through the sign-in check the hosted login page uses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { axeAudit, launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { tenantId } from '../support/refusal-helpers.ts';

const EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'browser test passphrase';
const CONNECTION = 'Username-Password-Authentication';

describe('Users page in Chromium', { concurrency: false }, () => {
  let h: Harness;
  let browser: Browser;
  let origin: string;
  let tenant: TestTenant;
  let tid: string;
  let available = true;

  before(async () => {
    available = requireChromium();
    if (!available) return;
    h = await startSignet();
    origin = `https://signet.test:${h.port}`;
    await h.services.admins.create(EMAIL, ADMIN_PASSWORD);
    tenant = await h.createTenant('enterprise', 'people');
    tid = await tenantId(h, tenant);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signedIn(): Promise<{ page: Page; dialogs: string[] }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    return { page, dialogs };
  }

  const row = (page: Page, email: string) => page.locator('tbody tr').filter({ hasText: email });
  const stored = (email: string) => h.services.store.db.get<{ user_id: string; blocked: number }>(`SELECT user_id, blocked FROM users WHERE tenant_id = ? AND email_key = ?`, [tid, email]);

  test('create (a common password refused at its field), search, reset password, block, delete', async (t) => {
    if (!available) return t.skip('Chromium not installed');
    // Someone already there, to show the search narrows the list.
    await h.services.users.create(tid, { connection: CONNECTION, email: 'zoe@elsewhere.example', password: 'quartz-fjord-1187' });
    const { page, dialogs } = await signedIn();
    await page.goto(`${origin}/dashboard/t/people/users`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await row(page, 'zoe@elsewhere.example').waitFor();

    // Create: a common password first, refused next to the password field; nothing stored.
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Email').fill('Alice@Example.com');
    await dialog.getByLabel('Password').fill('password1');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const passwordError = dialog.getByRole('alert').filter({ hasText: 'PasswordDictionaryError: Password is too common' });
    await passwordError.waitFor();
    assert.equal(await dialog.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.equal(await stored('alice@example.com'), undefined);
    await screenshot(page, 'users-create-common-password');
    await dialog.getByLabel('Password').fill('lilac-summit-6402');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'Alice@Example.com').waitFor();
    const alice = await stored('alice@example.com');
    assert.ok(alice, 'stored');
    assert.equal((await h.services.users.signIn(tid, 'alice@example.com', 'lilac-summit-6402', { ip: '192.0.2.5' })).userId, alice.user_id);

    // Search by email: only Alice is listed, and the search is in the URL.
    await page.getByLabel('Search by email').fill('alice');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/users\?email=alice/);
    await row(page, 'zoe@elsewhere.example').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tbody tr').count(), 1);
    await row(page, 'Alice@Example.com').waitFor();
    await screenshot(page, 'users-search');

    // Reset password: the new one signs in, the old one no longer does.
    await row(page, 'Alice@Example.com').getByRole('button', { name: 'Reset password' }).click();
    const reset = page.getByRole('dialog');
    await reset.getByLabel('New password').fill('short');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
    await reset.getByLabel('New password').fill('cobalt-river-3390');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await reset.waitFor({ state: 'detached' });
    await page.getByText('Set a new password for Alice@Example.com.').waitFor();
    await assert.rejects(h.services.users.signIn(tid, 'alice@example.com', 'lilac-summit-6402', { ip: '192.0.2.5' }), { code: 'wrong_password' });
    await h.services.users.signIn(tid, 'alice@example.com', 'cobalt-river-3390', { ip: '192.0.2.5' });

    // Block: the badge shows, the database says so, and sign-in refuses; then unblock.
    await row(page, 'Alice@Example.com').getByRole('button', { name: 'Block' }).click();
    await row(page, 'Alice@Example.com').getByText('Blocked').waitFor();
    assert.equal(Number((await stored('alice@example.com'))!.blocked), 1);
    await assert.rejects(h.services.users.signIn(tid, 'alice@example.com', 'cobalt-river-3390', { ip: '192.0.2.5' }), { code: 'blocked' });
    await screenshot(page, 'users-blocked');
    await axeAudit(page, 'users page');
    await row(page, 'Alice@Example.com').getByRole('button', { name: 'Unblock' }).click();
    await row(page, 'Alice@Example.com').getByRole('button', { name: 'Block' }).waitFor();
    assert.equal(Number((await stored('alice@example.com'))!.blocked), 0);

    // Delete, after the confirmation.
    await row(page, 'Alice@Example.com').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('This cannot be undone.').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No users match “alice”.').waitFor();
    assert.equal(await stored('alice@example.com'), undefined);
    assert.ok(await stored('zoe@elsewhere.example'), 'only Alice was deleted');
    assert.deepEqual(dialogs, []);
  });
});
