// Live state: calls in progress, trunk health, bans, system health.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BanInfo } from '../../../src/firewall/firewall.js';
import { systemInfoReader, temperaturesOf } from '../../../src/api/system-info.js';
import { fakeCalls, sampleCall } from './fakes.js';
import { apiFixture } from './fixture.js';

class FakeFirewall {
  enabled = true;
  bans: BanInfo[] = [
    { ip: '198.51.100.7', reason: 'scanner-user-agent', detail: 'User-Agent friendly-scanner', since: '2026-06-01T09:00:00.000Z', expiresInS: 3000 },
    { ip: '203.0.113.9', reason: 'flood', detail: 'rate', since: '2026-06-01T09:30:00.000Z', expiresInS: 500 },
  ] as BanInfo[];
  listBans() {
    return this.enabled ? this.bans : [];
  }
  unban(ip: string) {
    const before = this.bans.length;
    this.bans = this.bans.filter((b) => b.ip !== ip);
    return this.bans.length < before;
  }
  clearBans() {
    const n = this.bans.length;
    this.bans = [];
    return n;
  }
}

test('GET /calls: calls in progress with per-leg media statistics; 503 without call control', async (t) => {
  const fx = await apiFixture(t, { deps: { calls: fakeCalls([sampleCall]) } });
  const v = await fx.as('viewer');
  const r = await v.get('/calls');
  assert.equal(r.status, 200);
  assert.equal(r.body.count, 1);
  assert.deepEqual(r.body.calls[0], sampleCall);
  const bare = await apiFixture(t);
  const r2 = await (await bare.as('viewer')).get('/calls');
  assert.equal(r2.status, 503);
  assert.equal(r2.body.error.code, 'ERR_UNAVAILABLE');
});

test('GET /trunks/health: 501 with a clear message until the monitor exists; the rows when it does', async (t) => {
  const fx = await apiFixture(t);
  const r = await (await fx.as('viewer')).get('/trunks/health');
  assert.equal(r.status, 501);
  assert.equal(r.body.error.code, 'ERR_NOT_IMPLEMENTED');
  assert.match(r.body.error.message, /trunk health/);
  const rows = [{ trunk: 'vonage', endpoint: '192.0.2.5:5060', state: 'up', rttMs: 12.5, lastChange: Date.parse('2026-06-01T09:00:00Z'), lastError: '' }];
  const withHealth = await apiFixture(t, { deps: { trunkHealth: { trunkHealth: () => rows } } });
  const ok = await (await withHealth.as('viewer')).get('/trunks/health');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, [{ ...rows[0], lastChange: '2026-06-01T09:00:00.000Z' }]);
});

test('bans: list, lift one, lift all (operator), audited; refusals say why', async (t) => {
  const fw = new FakeFirewall();
  const fx = await apiFixture(t, { deps: { firewall: fw } });
  const op = await fx.as('operator');
  const list = await op.get('/bans');
  assert.deepEqual(list.body, { enabled: true, bans: fw.bans });
  assert.equal((await op.del('/bans/198.51.100.7')).status, 204);
  assert.deepEqual(fw.bans.map((b) => b.ip), ['203.0.113.9']);
  const missing = await op.del('/bans/192.0.2.1');
  assert.equal(missing.status, 404);
  assert.match(missing.body.error.message, /192\.0\.2\.1 is not banned/);
  const all = await op.del('/bans');
  assert.deepEqual(all.body, { removed: 1 });
  const audit = fx.store.auditLog(2).map((e) => [e.user, e.action, e.detail]);
  assert.deepEqual(audit, [['operator', 'ban.clear', '1 removed'], ['operator', 'ban.remove', '198.51.100.7']]);
  fw.enabled = false;
  const off = await op.del('/bans');
  assert.equal(off.status, 409);
  assert.equal(off.body.error.code, 'ERR_FIREWALL_DISABLED');
  assert.deepEqual((await op.get('/bans')).body, { enabled: false, bans: [] });
});

test('GET /system with the real systeminformation reader: CPU, memory, disks, interfaces', async (t) => {
  const fx = await apiFixture(t, { deps: { system: systemInfoReader(), calls: fakeCalls([]) } });
  const r = await (await fx.as('viewer')).get('/system');
  assert.equal(r.status, 200, r.text);
  const s = r.body;
  assert.ok(s.cpu.cores >= 1 && s.cpu.loadPct >= 0 && s.cpu.loadAvg.length === 3);
  assert.ok(s.memory.totalBytes > 0 && s.memory.availableBytes > 0 && s.memory.usedBytes <= s.memory.totalBytes);
  assert.ok(s.disks.some((d: { mount: string; sizeBytes: number }) => d.mount === '/' && d.sizeBytes > 0), JSON.stringify(s.disks));
  const lo = s.interfaces.find((i: { name: string }) => i.name === 'lo');
  assert.ok(lo && lo.addresses.includes('127.0.0.1/8'), JSON.stringify(s.interfaces));
  assert.ok(s.temperatures === null || typeof s.temperatures === 'object');
  assert.equal(s.calls, 0);
  assert.ok(s.process.rssBytes > 0);
});

test('temperatures: shown where a sensor reports, null where none does (a VM), sentinels dropped', () => {
  assert.equal(temperaturesOf(null), null);
  assert.equal(temperaturesOf({ main: null, cores: [], max: null }), null, 'systeminformation on a VM');
  assert.equal(temperaturesOf({ main: -1, cores: [], max: -1 }), null, 'older systeminformation: -1 = no sensor');
  assert.deepEqual(temperaturesOf({ main: 48.5, cores: [47, Number.NaN, 50], max: 52 }), { mainC: 48.5, maxC: 52, coresC: [47, 50] });
  assert.deepEqual(temperaturesOf({ main: null, cores: [61], max: null }), { mainC: null, maxC: null, coresC: [61] });
});
