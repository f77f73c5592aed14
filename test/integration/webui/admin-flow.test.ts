// The admin web UI end to end, as an installer uses it: Debian's chromium
// against a real sbcd (HTTPS admin API, the built web-ui/dist), SIPp as the
// PBX and as Vonage. First login with the first-boot password (by keyboard),
// the forced password change, a Vonage trunk, a PBX and a route added through
// the generated editors (the schema's own check and the server's refusals
// shown at their fields), the diff, a commit, a call through the SBC seen
// live on the dashboard, and a rollback after which the same call finds no
// route. Screenshots of every step go to web-ui/test-artifacts/admin-flow/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ADDR, describeSipp, freePort, runSipp, startSbcd, startSipp, type Sbcd } from '../harness/index.js';
import { audioAddress } from '../harness/media-sdp.js';
import { on, SippTrace } from '../harness/media-trace.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';
import { artifacts, browserSkipReason, launchChromium, type Browser, type Page } from './browser.js';

const NEW_PASSWORD = 'a-long-new-passphrase-42';
const CALLEE = '14155550100';
const TALK_MS = 12_000; // how long the call lasts once answered

async function fillField(page: Page, label: string, value: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(value);
}

test('admin web UI: first login, trunk + PBX + route, diff, commit, a live call on the dashboard, rollback', { skip: browserSkipReason(), timeout: 300_000 }, async () => {
  const apiPort = await freePort(ADDR.sbcLan);
  const vonagePort = await freePort(ADDR.vonage);
  const pbxPort = await freePort(ADDR.pbx);
  // No trunk, PBX or route: the test adds them through the UI.
  const sbc: Sbcd = await startSbcd({ config: { trunks: [], pbxs: [], routes: [], api: { port: apiPort } } });
  let browser: Browser | undefined;
  const { shot, dir } = artifacts('admin-flow');
  let page: Page | undefined;
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

    // --- first login, by keyboard, with the first-boot password ------------
    const firstPassword = readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim();
    await p.goto(`https://${ADDR.sbcLan}:${apiPort}/`);
    await p.getByRole('heading', { name: 'EdgeSBC admin' }).waitFor();
    await shot(p, 'login');
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'login-name', 'the user name field has the focus at first');
    await p.keyboard.type('admin');
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'login-password', 'Tab goes to the password');
    await p.keyboard.type(firstPassword);
    await p.keyboard.press('Enter');

    // --- the forced password change ------------------------------------------
    await p.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await fillField(p, 'Current password', firstPassword);
    await fillField(p, 'New password', NEW_PASSWORD);
    await fillField(p, 'New password again', `${NEW_PASSWORD}x`);
    await p.getByText('The two new passwords differ.').waitFor();
    await fillField(p, 'New password again', NEW_PASSWORD);
    await shot(p, 'password-change');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await p.getByText('Live', { exact: true }).waitFor(); // the event stream is open
    await shot(p, 'dashboard-empty');
    assert.equal(await p.getByTestId('calls-now').innerText(), '0');

    // --- a Vonage trunk -------------------------------------------------------
    await p.getByRole('link', { name: 'Trunks', exact: true }).click();
    await p.getByRole('link', { name: 'Add to trunks' }).click();
    await p.getByRole('heading', { name: 'New trunk' }).waitFor();
    // The schema's own check, before anything is sent: a name the pattern refuses.
    await fillField(p, 'Name', 'Carrier One');
    await p.getByRole('button', { name: 'Add to candidate' }).click();
    await p.getByText('use 1 to 32 lower-case letters, digits, _ or -').waitFor();
    assert.equal(await p.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    // The refused field gets the focus.
    await p.waitForFunction(() => document.activeElement?.getAttribute('name') === '/name', undefined, { timeout: 5000 });
    await fillField(p, 'Name', 'carrier');
    await p.getByLabel('Kind', { exact: true }).selectOption('vonage');
    await p.getByLabel('Transport', { exact: true }).selectOption('udp');
    await p.getByRole('button', { name: 'Add to endpoints' }).click();
    await fillField(p, 'Host', ADDR.vonage);
    await fillField(p, 'Port', String(vonagePort));
    // The server's checks beyond the schema come back at their fields: a
    // Vonage trunk needs credentials and a country.
    await p.getByRole('button', { name: 'Add to candidate' }).click();
    await p.locator('[data-path="/api_key"] .problems').getByText(/needs api_key and api_secret/).waitFor();
    await p.locator('[data-path="/country"] .problems').getByText(/needs a country/).waitFor();
    await shot(p, 'trunk-refused-by-server');
    await fillField(p, 'API key', 'key123');
    assert.equal(await p.getByLabel('API secret', { exact: true }).getAttribute('type'), 'password');
    await fillField(p, 'API secret', 'not-a-real-secret');
    await fillField(p, 'Country', 'US');
    // SIPp's caller is "caller", not a number: Vonage takes only E.164 caller IDs (V-OUT-5).
    await p.getByRole('group', { name: 'Caller ID' }).getByLabel('Mode', { exact: true }).selectOption('fixed');
    await fillField(p, 'Number', '14155550123');
    await p.getByRole('button', { name: 'Add to candidate' }).click();
    await p.getByRole('heading', { name: 'Trunk carrier' }).waitFor();
    // Write-only: the stored secret is never sent back into the form.
    assert.equal(await p.getByLabel('API secret', { exact: true }).inputValue(), '');
    assert.equal(await p.getByLabel('API secret', { exact: true }).getAttribute('placeholder'), 'stored: type to replace');
    await shot(p, 'trunk-saved');

    // --- a PBX ----------------------------------------------------------------
    await p.getByRole('link', { name: 'PBXs', exact: true }).click();
    await p.getByRole('link', { name: 'Add to PBXs' }).click();
    await p.getByRole('heading', { name: 'New PBX' }).waitFor();
    await fillField(p, 'Name', 'office');
    await fillField(p, 'Host', ADDR.pbx);
    await fillField(p, 'Port', String(pbxPort));
    await p.getByRole('button', { name: 'Add to candidate' }).click();
    await p.getByRole('heading', { name: 'PBX office' }).waitFor();

    // --- a route from the PBX side to the trunk --------------------------------
    await p.getByRole('link', { name: 'Routes', exact: true }).click();
    await p.getByRole('link', { name: 'Add to routes' }).click();
    await p.getByRole('heading', { name: 'New route' }).waitFor();
    await fillField(p, 'Name', 'office-out');
    await p.getByRole('combobox', { name: 'From side', exact: true }).fill('lan');
    await p.getByRole('radio', { name: 'Trunk', exact: true }).check();
    await p.getByRole('combobox', { name: 'Trunk', exact: true }).fill('carrier');
    await shot(p, 'route-form');
    await p.getByRole('button', { name: 'Add to candidate' }).click();
    await p.getByRole('heading', { name: 'Route office-out' }).waitFor();

    // --- the diff, then commit -------------------------------------------------
    const bar = p.getByRole('region', { name: 'Pending changes' });
    await bar.getByText(/pending changes/).waitFor();
    await bar.getByRole('button', { name: 'Show diff' }).click();
    const diff = p.locator('table.diff');
    for (const path of ['/trunks/carrier/kind', '/trunks/carrier/api_secret', '/pbxs/office/host', '/routes/office-out/to/trunk']) {
      await diff.getByText(path, { exact: true }).waitFor();
    }
    const diffText = await diff.innerText();
    assert.ok(!diffText.includes('not-a-real-secret'), 'the diff never shows a secret');
    assert.match(diffText, /\*{8}/);
    await shot(p, 'diff');
    await bar.getByLabel('Comment').fill('carrier, office PBX and the outbound route');
    await bar.getByRole('button', { name: 'Commit' }).click();
    await bar.getByText('No pending changes.').waitFor();
    await sbc.waitForLog((l) => l.msg === 'running config applied' && l.why === 'commit', 10_000);

    // --- a call through the SBC, seen live on the dashboard --------------------
    await p.getByRole('link', { name: 'Dashboard' }).click();
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // SIPp signals, the test's own sockets carry the audio: 20 ms PCMU packets
    // both ways for the whole call, so the per-leg statistics have something to count.
    const callerRtp = await RtpEndpoint.open(ADDR.pbx);
    const calleeRtp = await RtpEndpoint.open(ADDR.vonage);
    const uas = await startSipp({ scenario: 'media-uas', ip: ADDR.vonage, port: vonagePort, calls: 1, keys: { rtp_port: calleeRtp.port }, timeoutMs: 90_000, name: 'webui-uas' });
    const uac = await startSipp({
      scenario: 'media-uac',
      ip: ADDR.pbx,
      port: pbxPort,
      remote: { ip: sbc.lan.ip, port: sbc.lan.udp },
      service: CALLEE,
      calls: 1,
      keys: { rtp_port: callerRtp.port, p_talk: TALK_MS },
      timeoutMs: 90_000,
      name: 'webui-uac',
    });
    try {
      const offer = await new SippTrace(uas, 'callee').waitFor(on.request('received', 'INVITE'), 10_000, 'INVITE at the callee');
      const answer = await new SippTrace(uac, 'caller').waitFor(on.response('received', 200, 'INVITE'), 10_000, '200 at the caller');
      const packets = Math.floor(TALK_MS / 20) - 25;
      const up = callerRtp.stream({ to: audioAddress(answer.body), seed: 11, ssrc: 0x11111111, count: packets });
      const down = calleeRtp.stream({ to: audioAddress(offer.body), seed: 22, ssrc: 0x22222222, count: packets });

      const row = p.locator('tbody.call').filter({ hasText: CALLEE });
      await row.waitFor({ timeout: 15_000 });
      await p.waitForFunction(() => document.querySelector('[data-testid="calls-now"]')?.textContent === '1', undefined, { timeout: 10_000 });
      assert.match(await row.innerText(), /trunk carrier/);
      await shot(p, 'dashboard-live-call');
      await p.getByRole('link', { name: 'Live calls' }).click();
      // The per-leg table fills in as packets flow (the page refreshes every 2 s).
      const callerLeg = p.locator('table.leg-stats tbody tr').filter({ hasText: 'caller' });
      await p.waitForFunction(
        () => {
          const cells = document.querySelectorAll('table.leg-stats tbody tr:first-child td');
          return Number(cells[2]?.textContent) >= 100 && Number(cells[3]?.textContent) >= 100;
        },
        undefined,
        { timeout: 15_000 },
      );
      assert.match(await callerLeg.innerText(), /PCMU/);
      assert.match(await callerLeg.innerText(), /\d\.\d\d$/, 'the caller leg has a MOS estimate');
      await shot(p, 'live-calls');
      await Promise.all([up.done, down.done]);
      const uacResult = await uac.done;
      assert.equal(uacResult.code, 0, describeSipp(uacResult));
      assert.equal(uacResult.stats.successful, 1, describeSipp(uacResult));
      await uas.done;
    } finally {
      await Promise.all([uac.stop(), uas.stop()]);
      callerRtp.close();
      calleeRtp.close();
    }
    await p.getByRole('link', { name: 'Dashboard' }).click();
    await p.waitForFunction(() => document.querySelector('[data-testid="calls-now"]')?.textContent === '0', undefined, { timeout: 15_000 });
    await shot(p, 'dashboard-after-call');

    // --- the call's record ----------------------------------------------------
    await p.getByRole('link', { name: 'Call records' }).click();
    await p.getByLabel('Number').fill(CALLEE);
    const record = p.locator('table.cdrs tbody tr').filter({ hasText: CALLEE });
    for (let i = 0; i < 10 && (await record.count()) === 0; i++) {
      await p.getByRole('button', { name: 'Search' }).click();
      await p.getByText(/record|No call records match/).first().waitFor();
      if ((await record.count()) === 0) await new Promise((r) => setTimeout(r, 500));
    }
    const recordText = await record.first().innerText();
    assert.match(recordText, /answered \(200\)/);
    assert.match(recordText, /trunk carrier/);
    await shot(p, 'call-records');

    // --- roll back from the bar, to the config before the commit -------------
    await bar.getByText(/Running: commit \d+ \(admin, .*carrier, office PBX and the outbound route/).waitFor();
    await bar.getByRole('button', { name: 'Roll back this commit' }).click();
    await p.getByText('Rolled back', { exact: true }).waitFor();
    await bar.getByText(/Running: commit \d+ \(admin, .*rollback of commit/).waitFor();
    await p.getByRole('link', { name: 'History' }).click();
    await p.getByRole('heading', { name: 'Commit history' }).waitFor();
    await p.locator('tbody tr').first().getByText(/rollback of commit/).waitFor();
    await shot(p, 'history-rolled-back');
    await p.getByRole('link', { name: 'Trunks', exact: true }).click();
    await p.getByText('None in the candidate.').waitFor();

    // The running config has no route any more: the same call is refused.
    const refused = await runSipp({
      scenario: 'uac',
      ip: ADDR.pbx,
      port: pbxPort,
      remote: { ip: sbc.lan.ip, port: sbc.lan.udp },
      service: CALLEE,
      calls: 1,
      timeoutMs: 30_000,
      name: 'webui-uac-refused',
    });
    assert.equal(refused.stats.successful, 0, describeSipp(refused));
    assert.equal(refused.stats.failed, 1, describeSipp(refused));

    assert.deepEqual(pageErrors, [], 'no script error in the page');
  } catch (err) {
    if (page) await shot(page, 'failure').catch(() => undefined);
    throw new Error(`${(err as Error).message}\n(screenshots in ${dir})`, { cause: err });
  } finally {
    await browser?.close();
    await sbc.stop();
  }
});
