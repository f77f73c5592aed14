// The admin web UI's other pages against a real sbcd (Debian chromium):
// a whole config form done with the keyboard only (Tab, typing, arrows,
// Space, Enter: no mouse, no locator clicks), the call records search by
// number, time and result, the system page, the ban list, the Vonage
// dashboard URI copied to the clipboard, and the PBX snippet previewed and
// downloaded. Screenshots in web-ui/test-artifacts/pages-and-keyboard/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CdrStore } from '../../../src/cdr/index.js';
import { ADDR, freePort, startSbcd, type Sbcd } from '../harness/index.js';
import { artifacts, browserSkipReason, launchChromium, tabTo, type Browser, type Page } from './browser.js';

const PASSWORD = 'keyboard-passphrase-0003';

// Three records: answered 2 h ago, busy 1 h ago, answered 26 h ago (outside
// the page's default last-24-hours window).
function seedRecords(dataDir: string, now: number): void {
  const cdrs = CdrStore.open(join(dataDir, 'cdr.db'), { flushMs: 0 });
  try {
    const rec = (callId: string, startedAt: number, callee: string, result: 'answered' | 'busy') => ({
      callId, startedAt, answeredAt: result === 'answered' ? startedAt + 2000 : null, endedAt: startedAt + 62_000,
      caller: '442071234567', callee, fromSide: 'lan', sourceIp: ADDR.pbx, route: 'pbx-to-vonage', targetKind: 'trunk' as const,
      targetName: 'vonage', result, status: result === 'answered' ? 200 : 486, reason: result === 'answered' ? 'caller hung up' : 'Busy Here',
      mos: result === 'answered' ? 4.3 : null, media: [],
    });
    cdrs.add(rec('rec-answered', now - 2 * 3600_000, '14155550111', 'answered'));
    cdrs.add(rec('rec-busy', now - 3600_000, '14155550122', 'busy'));
    cdrs.add(rec('rec-old', now - 26 * 3600_000, '14155550133', 'answered'));
  } finally {
    cdrs.close();
  }
}

async function callees(p: Page): Promise<string[]> {
  await p.locator('table.cdrs caption, p.empty').first().waitFor();
  return p.evaluate(() => [...document.querySelectorAll('table.cdrs tbody tr td:nth-child(3)')].map((td) => td.textContent ?? ''));
}

test('admin web UI: a form by keyboard only, call records search, system, bans, Vonage URI, PBX snippet', { skip: browserSkipReason(), timeout: 240_000 }, async () => {
  const apiPort = await freePort(ADDR.sbcLan);
  const sbc: Sbcd = await startSbcd({ config: { api: { port: apiPort } } });
  let browser: Browser | undefined;
  let page: Page | undefined;
  const { shot, dir } = artifacts('pages-and-keyboard');
  try {
    await sbc.waitForLog((l) => l.msg === 'admin API listening', 15_000);
    seedRecords(sbc.dataDir, Date.now());
    browser = await launchChromium();
    const base = `https://${ADDR.sbcLan}:${apiPort}`;
    const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    const p = page;
    const kb = p.keyboard;

    // --- keyboard only: log in, the forced password change, a new PBX -------
    const first = readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim();
    await p.goto(`${base}/`);
    await p.getByRole('heading', { name: 'EdgeSBC admin' }).waitFor();
    await kb.type('admin'); // the user name field has the focus
    await kb.press('Tab');
    await kb.type(first);
    await kb.press('Enter');
    await p.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await tabTo(p, 'Current password', (f) => f.label === 'Current password');
    await kb.type(first);
    await tabTo(p, 'New password', (f) => f.label === 'New password');
    await kb.type(PASSWORD);
    await tabTo(p, 'New password again', (f) => f.label === 'New password again');
    await kb.type(PASSWORD);
    await kb.press('Enter');
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // From the menu to the PBX list and its "Add" link, by Tab and Enter.
    await tabTo(p, 'the PBXs menu link', (f) => f.tag === 'a' && f.text === 'PBXs');
    await kb.press('Enter');
    await p.getByRole('heading', { name: 'PBXs', exact: true }).waitFor();
    await tabTo(p, 'Add to PBXs', (f) => f.tag === 'a' && f.text === 'Add to PBXs');
    await kb.press('Enter');
    await p.getByRole('heading', { name: 'New PBX' }).waitFor();
    await tabTo(p, 'Name', (f) => f.name === '/name');
    await kb.type('kbd-pbx');
    await tabTo(p, 'Host', (f) => f.name === '/host');
    await kb.type(ADDR.pbx);
    await tabTo(p, 'Port', (f) => f.name === '/port');
    await kb.press('Control+A');
    await kb.type('5070');
    // A select by arrows: udp -> tcp.
    await tabTo(p, 'Transport', (f) => f.name === '/transport');
    await kb.press('ArrowDown');
    // A checkbox by Space: Enabled (on by default) off.
    await tabTo(p, 'Enabled', (f) => f.name === '/enabled');
    await kb.press('Space');
    await shot(p, 'keyboard-pbx-form');
    await tabTo(p, 'the Add to candidate button', (f) => f.tag === 'button' && f.text === 'Add to candidate');
    await kb.press('Enter');
    await p.getByRole('heading', { name: 'PBX kbd-pbx' }).waitFor();
    const bar = p.getByRole('region', { name: 'Pending changes' });
    await bar.getByText('1 pending change').waitFor();
    // What the form sent, as the server holds it.
    const added = await p.evaluate(async () => {
      const r = await fetch('/api/v1/config/pbxs/kbd-pbx');
      return (await r.json()) as { host: string; port: number; transport: string; enabled: boolean };
    });
    assert.deepEqual([added.host, added.port, added.transport, added.enabled], [ADDR.pbx, 5070, 'tcp', false]);
    await shot(p, 'keyboard-pbx-added');

    // --- call records: by number, by result, by time -------------------------
    await p.getByRole('link', { name: 'Call records' }).click();
    await p.getByRole('heading', { name: 'Call records' }).waitFor();
    await p.getByRole('button', { name: 'Search' }).click();
    assert.deepEqual(await callees(p), ['14155550122', '14155550111'], 'the last 24 hours, newest first');
    await p.getByLabel('Result').selectOption('busy');
    await p.getByRole('button', { name: 'Search' }).click();
    await p.waitForFunction(() => document.querySelector('table.cdrs caption')?.textContent === '1 record');
    assert.deepEqual(await callees(p), ['14155550122']);
    assert.match(await p.locator('table.cdrs tbody tr').first().innerText(), /busy/);
    await p.getByLabel('Result').selectOption('');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    await p.getByLabel('From', { exact: true }).fill(day(Date.now() - 30 * 3600_000));
    await p.getByLabel('To', { exact: true }).fill(day(Date.now() - 20 * 3600_000));
    await p.getByRole('button', { name: 'Search' }).click();
    await p.waitForFunction(() => document.querySelector('table.cdrs caption')?.textContent === '1 record');
    assert.deepEqual(await callees(p), ['14155550133'], 'the time window');
    await p.getByLabel('To', { exact: true }).fill('');
    await p.getByLabel('Number').fill('550111');
    await p.getByRole('button', { name: 'Search' }).click();
    await p.waitForFunction(() => document.querySelector('table.cdrs caption')?.textContent === '1 record');
    assert.deepEqual(await callees(p), ['14155550111'], 'part of a number');
    await shot(p, 'call-records-search');

    // --- system: CPU, memory, disk, interfaces -------------------------------
    await p.locator('a[href="#/system"]').click();
    await p.getByRole('heading', { name: 'System', exact: true }).waitFor();
    for (const part of ['Cpu', 'Memory', 'Disks', 'Interfaces']) {
      await p.locator('section.card h2').filter({ hasText: new RegExp(`^${part}`, 'i') }).first().waitFor();
    }
    assert.match(await p.locator('main').innerText(), /\d+(\.\d)? (KiB|MiB|GiB|TiB)/, 'sizes in binary units');
    assert.match(await p.locator('main').innerText(), /lo\b/, 'the loopback interface is listed');
    await shot(p, 'system');

    // --- bans: the list (the firewall is off in this sbcd) -------------------
    await p.getByRole('link', { name: 'Bans', exact: true }).click();
    await p.getByRole('heading', { name: 'Bans', exact: true }).waitFor();
    await p.getByText('No address is banned.').waitFor();

    // --- Vonage: the dashboard URI, copied ----------------------------------
    await p.getByRole('link', { name: /^Vonage/ }).click();
    await p.getByRole('heading', { name: 'Vonage and PBX' }).waitFor();
    await p.getByLabel('Route of the number').selectOption('vonage-to-pbx');
    await p.getByLabel('Number (DID)').fill('14155550100');
    const uri = p.getByRole('textbox', { name: 'Dashboard URI' });
    await p.waitForFunction(() => (document.getElementById('uri-value') as HTMLInputElement | null)?.value.includes('14155550100'));
    const uriText = await uri.inputValue();
    assert.match(uriText, /^sips?:14155550100@/, uriText);
    await p.getByRole('button', { name: 'Copy', exact: true }).click();
    await p.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await p.evaluate(() => navigator.clipboard.readText()), uriText);
    await shot(p, 'vonage-uri');

    // --- the PBX snippet: previewed, then downloaded -------------------------
    // Two PBXs in the candidate now: the first is the default.
    assert.equal(await p.getByLabel('For the PBX').locator('option').count(), 2);
    await p.getByLabel('Snippet preview').waitFor();
    const preview = await p.getByLabel('Snippet preview').innerText();
    assert.ok(preview.includes(sbc.lan.ip), `the snippet points the PBX at the SBC's LAN address:\n${preview.slice(0, 400)}`);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download' }).click()]);
    const file = await download.path();
    assert.ok(file);
    assert.equal(readFileSync(file, 'utf8').trim(), preview.trim(), `${download.suggestedFilename()} is what was previewed`);
    assert.match(download.suggestedFilename(), /\.(conf|xml|txt|cfg)$/);
    await shot(p, 'pbx-snippet');

    assert.deepEqual(pageErrors, [], 'no script error in the page');
  } catch (err) {
    if (page) await shot(page, 'failure').catch(() => undefined);
    throw new Error(`${(err as Error).message}\n(screenshots in ${dir})`, { cause: err });
  } finally {
    await browser?.close();
    await sbc.stop();
  }
});
