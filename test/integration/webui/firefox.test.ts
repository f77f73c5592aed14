// The admin web UI in Firefox (Debian's firefox-esr, driven by puppeteer-core
// over WebDriver BiDi) against a real sbcd: login with the first-boot
// password, the forced password change, the dashboard with its trunk status
// and its live event stream, a PBX added through the generated form (the
// schema's refusal shown at the field first, then a good value), the diff in
// the pending-changes bar, a commit, and the PBX read back from the running
// config through the API.
// The Chromium tests cover more pages; this one checks that the same core
// path works in the other engine. Screenshots in web-ui/test-artifacts/firefox/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ADDR, freePort, repoRoot } from '../harness/index.js';
import { startAdminSbcd, type AdminSbcd } from './admin-sbcd.js';
import { artifacts } from './browser.js';

const FIREFOX = '/usr/bin/firefox-esr';
const NEW_PASSWORD = 'firefox-passphrase-0153';
const PBX = 'ff-office';

/** Why this test cannot run here (it then fails with that reason: never a silent skip). */
function missing(): string | undefined {
  if (!existsSync(FIREFOX)) return `${FIREFOX} missing: apt-get install firefox-esr (scripts/setup.sh does)`;
  if (!existsSync(join(repoRoot, 'web-ui', 'dist', 'index.html'))) return 'web-ui/dist not built: run scripts/setup.sh';
  return undefined;
}

/** Replaces a field's value by typing, as a person would (Ctrl+A, Backspace, type). */
async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  const field = await page.locator(selector).waitHandle();
  await field.click();
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await field.type(value);
  assert.equal(await field.evaluate((el) => (el as HTMLInputElement).value), value, `${selector} holds what was typed`);
}

/** Waits until the element matching `selector` shows `text` (bounded by the page's default timeout). */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page
    .waitForFunction((sel: string, want: string) => [...document.querySelectorAll(sel)].some((el) => (el.textContent ?? '').includes(want)), {}, selector, text)
    .catch((err: Error) => {
      throw new Error(`"${text}" never appeared in ${selector}: ${err.message}`);
    });
}

test('admin web UI in Firefox ESR: first login, password change, dashboard, a PBX (refused, then added), diff, commit', { timeout: 120_000 }, async () => {
  const why = missing();
  if (why) assert.fail(`the Firefox test cannot run: ${why}`);
  const pbxPort = await freePort(ADDR.pbx);
  const admin: AdminSbcd = await startAdminSbcd();
  const { sbc, base, firstPassword } = admin;
  const { shot, dir } = artifacts('firefox');
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, acceptInsecureCerts: true, timeout: 60_000 });
    process.stdout.write(`browser: ${await browser.version()}\n`);
    page = await browser.newPage();
    const p = page;
    await p.setViewport({ width: 1366, height: 900 });
    p.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e instanceof Error ? e.message : String(e)));

    // --- first login with the first-boot password ---------------------------
    await p.goto(`${base}/`);
    await waitForText(p, 'h1', 'EdgeSBC admin');
    await shot(p, 'login');
    await typeInto(p, '#login-name', 'admin');
    await typeInto(p, '#login-password', firstPassword);
    await p.keyboard.press('Enter');

    // --- the forced password change ------------------------------------------
    await waitForText(p, 'h1', 'Choose a new password');
    await typeInto(p, '#pw-current', firstPassword);
    await typeInto(p, '#pw-next', NEW_PASSWORD);
    await typeInto(p, '#pw-again', `${NEW_PASSWORD}x`);
    await waitForText(p, '#pw-again-err', 'The two new passwords differ.');
    await typeInto(p, '#pw-again', NEW_PASSWORD);
    await shot(p, 'password-change');
    await p.locator('main.login button[type="submit"]').click();

    // --- the dashboard, with the running config's trunk and its status -------
    await waitForText(p, 'h1', 'Dashboard');
    await p.waitForSelector('header.top .live.on'); // the event stream (EventSource) is open
    await waitForText(p, 'ul.trunk-status li', 'vonage');
    const trunkLine = await p.$eval('ul.trunk-status li', (li) => li.textContent ?? '');
    assert.match(trunkLine, /^vonage: (not checked|up|down)/, trunkLine);
    await shot(p, 'dashboard');

    // --- a PBX through the form: a bad name first ------------------------------
    await p.locator('nav a[href="#/config/pbxs"]').click();
    await waitForText(p, 'h1', 'PBXs');
    await p.locator('a[href="#/config/pbxs/%2Bnew"]').click();
    await waitForText(p, 'h1', 'New PBX');
    await typeInto(p, '[name="/name"]', 'Front Office');
    await typeInto(p, '[name="/host"]', ADDR.pbx);
    await typeInto(p, '[name="/port"]', String(pbxPort));
    const submit = 'main form button[type="submit"]';
    await p.locator(submit).click();
    await waitForText(p, '[data-path="/name"] .problems', 'use 1 to 32 lower-case letters, digits, _ or -');
    assert.equal(await p.$eval('[name="/name"]', (el) => el.getAttribute('aria-invalid')), 'true', 'the refused field is marked invalid');
    await shot(p, 'pbx-refused');
    // Nothing reached the candidate.
    assert.equal(await p.$eval('section[aria-label="Pending changes"]', (el) => (el.textContent ?? '').includes('No pending changes.')), true);

    // --- then a good one -------------------------------------------------------
    await typeInto(p, '[name="/name"]', PBX);
    await p.locator(submit).click();
    await waitForText(p, 'h1', `PBX ${PBX}`);

    // --- the pending-changes bar and its diff ----------------------------------
    const bar = 'section[aria-label="Pending changes"]';
    await waitForText(p, bar, '1 pending change');
    await p.locator(`${bar} button[aria-controls="pending-diff"]`).click();
    for (const path of [`/pbxs/${PBX}/host`, `/pbxs/${PBX}/port`]) await waitForText(p, 'table.diff td', path);
    const diffText = await p.$eval('table.diff', (t) => t.textContent ?? '');
    assert.ok(diffText.includes(ADDR.pbx) && diffText.includes(String(pbxPort)), `the diff shows the new values:\n${diffText}`);
    await shot(p, 'diff');

    // --- commit ---------------------------------------------------------------
    await typeInto(p, '#commit-comment', 'office PBX, from Firefox');
    const applied = sbc.waitForLog((l) => l.msg === 'running config applied' && l.why === 'commit', 20_000);
    await p.locator(`${bar} form.commit button[type="submit"]`).click();
    await waitForText(p, bar, 'No pending changes.');
    await applied;
    await shot(p, 'committed');

    // --- the PBX is in the running config, read through the API ---------------
    const running = await p.evaluate(async () => {
      const r = await fetch('/api/v1/config/running');
      return { status: r.status, body: (await r.json()) as { pbxs?: Array<{ name: string; host: string; port: number }> } };
    });
    assert.equal(running.status, 200);
    const pbx = running.body.pbxs?.find((x) => x.name === PBX);
    assert.deepEqual(pbx && [pbx.host, pbx.port], [ADDR.pbx, pbxPort], `the running config's PBXs: ${JSON.stringify(running.body.pbxs)}`);

    assert.deepEqual(pageErrors, [], 'no script error in the page');
  } catch (err) {
    if (page) await shot(page, 'failure').catch(() => undefined);
    throw new Error(`${(err as Error).message}\n(screenshots in ${dir})`, { cause: err });
  } finally {
    await browser?.close().catch(() => undefined);
    await sbc.stop();
  }
});
