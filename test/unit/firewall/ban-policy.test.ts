// Ban decisions from what the SIP side sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { BanPolicy } from '../../../src/firewall/ban-policy.js';
import { parseAll } from '../../../src/firewall/cidr.js';

function policy(clock = () => 0, edit: (b: ReturnType<typeof defaultConfig>['firewall']['bans']) => void = () => {}) {
  const bans = defaultConfig().firewall.bans;
  bans.allow_list = ['203.0.113.0/28'];
  edit(bans);
  return new BanPolicy({ bans, wanSides: ['wan'], trunkSources: parseAll(['198.51.100.10', '5.10.112.120/29']) }, clock);
}

const req = (ip: string, userAgent = 'Vonage', side = 'wan') => ({ ip, side, method: 'OPTIONS', userAgent });

test('scanner User-Agents are banned at once, case-insensitively, on any side', () => {
  const p = policy();
  for (const ua of ['friendly-scanner', 'SIPVicious 0.3.4', 'sipcli/v1.8', 'VaxSIPUserAgent/3.1']) {
    assert.equal(p.onRequest(req('203.0.113.66', ua))?.reason, 'scanner-user-agent', ua);
  }
  assert.match(p.onRequest(req('192.0.2.50', 'friendly-scanner', 'lan'))?.detail ?? '', /matches "friendly-scanner"/);
  assert.equal(p.onRequest(req('198.51.100.10', 'Asterisk PBX 18')), undefined);
});

test('unknown sources on WAN are banned; trunk sources and the LAN side are not', () => {
  const p = policy();
  assert.equal(p.onRequest(req('203.0.113.99'))?.reason, 'unknown-source');
  assert.equal(p.onRequest(req('5.10.112.122')), undefined);
  assert.equal(p.onRequest(req('192.0.2.20', 'Asterisk', 'lan')), undefined);
  const off = policy(() => 0, (b) => (b.unknown_sources = false));
  assert.equal(off.onRequest(req('203.0.113.99')), undefined);
});

test('the allow-list is never banned, whatever it sends', () => {
  const p = policy();
  assert.equal(p.onRequest(req('203.0.113.5', 'friendly-scanner')), undefined);
  for (let i = 0; i < 20; i++) assert.equal(p.onAuthFailure('203.0.113.5'), undefined);
  assert.equal(p.isAllowListed('203.0.113.15'), true);
  assert.equal(p.isAllowListed('203.0.113.16'), false);
});

test('repeated digest failures within the window ban; slow ones do not', () => {
  let now = 0;
  const p = policy(() => now, (b) => Object.assign(b, { auth_failures: 3, auth_window_s: 10 }));
  assert.equal(p.onAuthFailure('198.51.100.10'), undefined);
  now = 4000;
  assert.equal(p.onAuthFailure('198.51.100.10'), undefined);
  now = 8000;
  assert.deepEqual(p.onAuthFailure('198.51.100.10'), { reason: 'auth-failures', detail: '3 digest failures within 10 s' });
  // One every 6 s never has 3 inside 10 s.
  for (let i = 0; i < 10; i++) {
    now += 6000;
    assert.equal(p.onAuthFailure('198.51.100.11'), undefined);
  }
  const off = policy(() => 0, (b) => (b.auth_failures = 0));
  for (let i = 0; i < 10; i++) assert.equal(off.onAuthFailure('198.51.100.12'), undefined);
});
