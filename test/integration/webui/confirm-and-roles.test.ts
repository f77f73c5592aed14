// The admin web UI against a real sbcd: users and roles, a section editor,
// "commit confirmed" with its deadline and Confirm, and what a read-only
// user is (not) offered. Screenshots in web-ui/test-artifacts/confirm-and-roles/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ADDR, freePort, startSbcd, type Sbcd } from '../harness/index.js';
import { artifacts, browserSkipReason, launchChromium, type Browser, type Page } from './browser.js';

const ADMIN_PASSWORD = 'admin-passphrase-0001';
const VIEWER_PASSWORD = 'viewer-passphrase-0002';

async function logIn(p: Page, name: string, password: string): Promise<void> {
  await p.getByLabel('User name').fill(name);
  await p.getByLabel('Password', { exact: true }).fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
}

test('admin web UI: commit confirmed and confirm, users, a viewer sees no edit controls', { skip: browserSkipReason(), timeout: 240_000 }, async () => {
  const apiPort = await freePort(ADDR.sbcLan);
  const sbc: Sbcd = await startSbcd({ config: { api: { port: apiPort } } });
  let browser: Browser | undefined;
  let page: Page | undefined;
  const { shot, dir } = artifacts('confirm-and-roles');
  try {
    // The admin API starts once SIP is ready (and writes the first-boot password then).
    await sbc.waitForLog((l) => l.msg === 'admin API listening', 15_000);
    browser = await launchChromium();
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    const p = page;
    const base = `https://${ADDR.sbcLan}:${apiPort}/`;

    await p.goto(base);
    await logIn(p, 'admin', readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim());
    await p.getByLabel('Current password').fill(readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim());
    await p.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
    await p.getByLabel('New password again').fill(ADMIN_PASSWORD);
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // --- a viewer account ------------------------------------------------------
    await p.getByRole('link', { name: 'Users' }).click();
    await p.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await p.getByLabel('Name', { exact: true }).fill('watch');
    await p.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
    await p.getByRole('radio', { name: /^viewer/ }).check();
    await p.getByLabel('Must choose a new password at the first login').click(); // off
    await p.getByRole('button', { name: 'Add user' }).click();
    await p.locator('tbody tr').filter({ hasText: 'watch' }).getByText('viewer').waitFor();
    await shot(p, 'users');

    // --- a section edit, committed "confirmed", then confirmed ----------------
    await p.getByRole('link', { name: 'SIP', exact: true }).click();
    await p.getByRole('heading', { name: 'SIP', exact: true }).waitFor();
    const ua = p.getByLabel('User agent', { exact: true });
    assert.equal(await ua.inputValue(), 'EdgeSBC');
    // Printable ASCII only: the schema's pattern, checked as the field is left.
    await ua.fill('EdgeSBC\u00e9');
    await ua.press('Tab');
    await p.getByText('use printable ASCII characters only').waitFor();
    await ua.fill('EdgeSBC-lab');
    await p.getByRole('button', { name: 'Save to candidate' }).click();
    const bar = p.getByRole('region', { name: 'Pending changes' });
    await bar.getByText('1 pending change').waitFor();
    await bar.getByRole('button', { name: 'Show diff' }).click();
    await p.locator('table.diff').getByText('/sip/user_agent', { exact: true }).waitFor();
    await bar.getByLabel('Comment').fill('lab user agent');
    await bar.getByLabel('Confirmed, within').check();
    await bar.getByLabel('Minutes to confirm').fill('3');
    await bar.getByRole('button', { name: 'Commit' }).click();
    await bar.getByText(/Commit \d+ is not confirmed\./).waitFor();
    const wait = await bar.innerText();
    assert.match(wait, /rolled back at .* \(3 min left\) unless confirmed/);
    await shot(p, 'commit-confirmed-waiting');
    await sbc.waitForLog((l) => l.msg === 'running config applied' && l.why === 'commit', 10_000);
    await bar.getByRole('button', { name: 'Confirm' }).click();
    await bar.getByText(/No pending changes\. Running: commit \d+ \(admin, .*lab user agent/).waitFor();
    await p.getByRole('link', { name: 'History' }).click();
    await p.locator('tbody tr').first().getByText(/commit \(confirmed\)/).waitFor();
    await shot(p, 'history-confirmed');

    // --- a viewer: everything shown, nothing editable -------------------------
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByRole('heading', { name: 'EdgeSBC admin' }).waitFor();
    await logIn(p, 'watch', VIEWER_PASSWORD);
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await p.getByText('watch (viewer)').waitFor();
    await p.getByRole('link', { name: 'Trunks', exact: true }).click();
    await p.getByRole('link', { name: 'vonage', exact: true }).waitFor();
    assert.equal(await p.getByRole('link', { name: 'Add to trunks' }).count(), 0, 'no Add for a viewer');
    assert.equal(await p.getByRole('button', { name: 'Delete' }).count(), 0, 'no Delete for a viewer');
    await p.getByRole('link', { name: 'vonage', exact: true }).click();
    await p.getByRole('heading', { name: 'Trunk vonage' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Save to candidate' }).count(), 0, 'no Save for a viewer');
    assert.equal(await p.getByLabel('From domain', { exact: true }).getAttribute('readonly'), '');
    assert.equal(await p.getByRole('button', { name: 'Roll back this commit' }).count(), 0, 'no rollback for a viewer');
    assert.equal(await p.getByRole('link', { name: 'Users' }).count(), 0, 'no user admin for a viewer');
    await shot(p, 'viewer-trunk');

    assert.deepEqual(pageErrors, [], 'no script error in the page');
  } catch (err) {
    if (page) await shot(page, 'failure').catch(() => undefined);
    throw new Error(`${(err as Error).message}\n(screenshots in ${dir})`, { cause: err });
  } finally {
    await browser?.close();
    await sbc.stop();
  }
});
