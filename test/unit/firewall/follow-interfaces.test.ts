// The firewall follows interface changes (rtnetlink notifications, faked
// here): when the WAN address moves to another interface the table is
// regenerated with it; a change that moves nothing regenerates nothing;
// with firewall.wan_interfaces set nothing is watched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Firewall } from '../../../src/firewall/index.js';
import type { NetChange, NetInterface } from '../../../src/firewall/interfaces.js';
import type { NftBatch } from '../../../src/firewall/batch.js';
import { firewallDoc } from './fixture.js';

function iface(index: number, name: string, addrs: string[]): NetInterface {
  return { index, name, up: true, loopback: false, addresses: addrs.map((a) => ({ family: 4, address: a, prefixLen: 24 })) };
}

function wanRule(batch: NftBatch): string | undefined {
  const text = JSON.stringify(batch);
  const m = /"comment":"interfaces holding the WAN addresses"[^]*?"right":("[^"]*"|\{"set":\[[^\]]*\]\})/.exec(text);
  return m?.[1];
}

async function until(pred: () => boolean, ms = 2000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (pred()) return true;
  return pred();
}

test('a WAN address moving to another interface regenerates the table; nothing else does', async () => {
  const batches: NftBatch[] = [];
  let interfaces = [iface(2, 'wan0', ['198.51.100.1']), iface(3, 'wan1', [])];
  let notify: ((c: NetChange[]) => void) | undefined;
  let closed = 0;
  const fw = new Firewall({
    log: pino({ level: 'silent' }),
    banSyncMs: 0,
    resolve: async () => [],
    interfaces: () => interfaces,
    // No table in the kernel: every apply is a full replace.
    nft: (batch) => {
      if (JSON.stringify(batch).includes('"list"')) throw new Error('no such table');
      batches.push(batch);
      return [];
    },
    watchInterfaces: (cb) => {
      notify = cb;
      return { close: () => void closed++ };
    },
  });
  const doc = firewallDoc({}, (d) => (d.firewall.wan_interfaces = []));
  await fw.apply(doc, 'start');
  assert.equal(batches.length, 1);
  assert.equal(wanRule(batches[0]!), '"wan0"');
  assert.ok(notify, 'changes are watched');

  const change: NetChange = { kind: 'address', removed: false, index: 3, name: '', up: false, family: 4, address: '198.51.100.1', prefixLen: 24 };
  interfaces = [iface(2, 'wan0', []), iface(3, 'wan1', ['198.51.100.1'])];
  notify([{ ...change, removed: true, index: 2 }]);
  notify([change]); // a burst: one regeneration
  assert.ok(await until(() => batches.length === 2), `batches: ${batches.length}`);
  assert.equal(wanRule(batches[1]!), '"wan1"');

  notify([{ ...change, address: '192.0.2.99', index: 2 }]); // an unrelated address
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(batches.length, 2, 'nothing moved: nothing regenerated');

  await fw.apply(firewallDoc({}, (d) => (d.firewall.wan_interfaces = ['wan1'])), 'commit');
  assert.equal(closed, 1, 'named WAN interfaces: no more watching');
  fw.close();
});
