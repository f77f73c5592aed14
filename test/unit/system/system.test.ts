// src/system: what the appliance's sbcd.service and health check rely on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ConfigError } from '../../../src/config/errors.js';
import { ConfigStore } from '../../../src/config/store.js';
import { backupConfig, restoreConfig } from '../../../src/system/config-backup.js';
import { firstConfig } from '../../../src/system/first-config.js';
import { systemdNotifier, watchdogIntervalMs } from '../../../src/system/sd-notify.js';
import { parseRaucStatus } from '../../../src/system/update.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'edgesbc-system-'));
}

test('sd-notify: READY=1 and WATCHDOG=1 reach a datagram socket like systemd\'s', { timeout: 20_000 }, async () => {
  const dir = scratch();
  const sock = join(dir, 'notify');
  // socat stands in for systemd's notify socket: it prints what it receives.
  const receiver = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  receiver.stdout.on('data', (b: Buffer) => (got += b.toString()));
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(sock), 'receiver socket created');
    const errors: Error[] = [];
    const n = systemdNotifier((e) => errors.push(e), { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1500000' });
    n.ready();
    const deadline = Date.now() + 10_000;
    while (!(got.includes('READY=1') && got.includes('WATCHDOG=1')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    n.close();
    assert.deepEqual(errors, []);
    assert.match(got, /READY=1/);
    assert.match(got, /WATCHDOG=1/, 'a watchdog ping within WatchdogSec/3');
  } finally {
    receiver.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sd-notify: no NOTIFY_SOCKET, no child and no pings; the watchdog period follows WATCHDOG_USEC', () => {
  const n = systemdNotifier(() => assert.fail('no error expected'), {});
  n.ready();
  n.close();
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 10_000);
  assert.equal(watchdogIntervalMs({}), undefined);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, 2), undefined, 'meant for another process');
});

test('first config: the default with the LAN side on the given address, accepted by the store', () => {
  const dir = scratch();
  try {
    const store = ConfigStore.open(join(dir, 'config.db'), { confirmTimer: false });
    store.importText(JSON.stringify(firstConfig('192.0.2.10')), 'json');
    store.commit({ user: 'test' });
    assert.deepEqual(store.running().sides.lan?.addresses, ['192.0.2.10']);
    assert.deepEqual(store.running().api.sides, ['lan']);
    store.close();
    assert.throws(() => firstConfig('not-an-ip'), /not an IP address/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config backup and restore: the YAML document round-trips; a bad one changes nothing', () => {
  const dir = scratch();
  try {
    const store = ConfigStore.open(join(dir, 'config.db'), { confirmTimer: false });
    store.patchCandidate({ system: { name: 'box-one' } });
    store.commit({ user: 'test' });
    const backup = backupConfig(store);
    assert.match(backup, /box-one/);
    store.patchCandidate({ system: { name: 'box-two' } });
    store.commit({ user: 'test' });
    restoreConfig(store, backup, { user: 'test' });
    assert.equal(store.running().system.name, 'box-one');
    assert.throws(() => restoreConfig(store, 'sides: 7\n'), ConfigError);
    assert.equal(store.running().system.name, 'box-one');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rauc status JSON: booted slot, each slot\'s boot status and version', () => {
  const s = parseRaucStatus(
    JSON.stringify({
      compatible: 'edgesbc-x86_64',
      booted: 'B',
      boot_primary: 'rootfs.1',
      slots: [
        { 'rootfs.0': { bootname: 'A', state: 'inactive', boot_status: 'bad' } },
        { 'rootfs.1': { bootname: 'B', state: 'booted', boot_status: 'good', slot_status: { bundle: { version: '0.1.0+abc' } } } },
      ],
    }),
  );
  assert.equal(s.booted, 'B');
  assert.deepEqual(s.slots.map((x) => [x.name, x.bootname, x.bootStatus, x.version]), [
    ['rootfs.0', 'A', 'bad', undefined],
    ['rootfs.1', 'B', 'good', '0.1.0+abc'],
  ]);
});
