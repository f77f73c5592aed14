// The Firewall TypeScript API against a real kernel, in a network namespace
// of its own (`unshare -n`: nothing outside it is touched): preview diff,
// in-place refresh of resolved endpoint names, bans (list, unban, clear,
// allow-list, v4 and v6), signalled media peers, a broken batch refused
// whole, list import, disabling removes only our table, and the WAN
// interfaces read through rtnetlink (followed when the address moves).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { netnsSkipReason } from '../harness/index.js';

const skip = netnsSkipReason();
const CHILD = fileURLToPath(new URL('./api-child.js', import.meta.url));

test('Firewall API in its own namespace', { skip, timeout: 30_000 }, async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    // Two WAN-capable interfaces in the child's namespace; 198.51.100.1 starts on wan0.
    const setup = [
      'ip link add wan0 type veth peer name wan0p',
      'ip link add wan1 type veth peer name wan1p',
      'ip link set wan0 up',
      'ip link set wan1 up',
      'ip addr add 198.51.100.1/24 dev wan0',
      `exec "${process.execPath}" "${CHILD}"`,
    ].join(' && ');
    execFile('unshare', ['-n', 'sh', '-c', setup], { timeout: 25_000 }, (err, out, errText) =>
      err ? reject(new Error(`${err.message}\n${out}\n${errText}`)) : resolve(out),
    );
  });
  const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert.equal(r.fatal, undefined, String(r.fatal));

  assert.deepEqual(r.previewEmptyKernel, { check: 'ok', plus: 36, minus: 0 });
  assert.deepEqual(r.previewAfterApply, [], 'what we generate is what the kernel lists back');
  assert.deepEqual(r.previewIcmp, [
    '+ rule wan "ICMP, rate-limited" [{"match":{"left":{"meta":{"ke',
    '+ rule wan "ICMPv6, rate-limited" [{"match":{"left":{"meta":{"',
    '- rule wan "ICMP, rate-limited" [{"match":{"left":{"meta":{"ke',
    '- rule wan "ICMPv6, rate-limited" [{"match":{"left":{"meta":{"',
  ]);
  const legacy = ['5.10.112.121', '5.10.112.122', '119.81.44.6', '119.81.44.7', '173.193.199.24', '174.37.245.34'];
  assert.deepEqual(r.sigAfterApply, [...legacy, '198.51.100.10']);
  assert.deepEqual(r.sigAfterResolve, [...legacy, '198.51.100.11'], 'the re-resolved endpoint replaced the old address in place');
  // rtnetlink: the interface holding the WAN address is matched, and followed when the address moves.
  assert.deepEqual(r.interfaces, [['wan0', true, ['198.51.100.1/24']], ['wan0p', false, []], ['wan1', true, []], ['wan1p', false, []]]);
  const iif = (name: string) => `[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"${name}"}},{"jump":{"target":"wan"}}]`;
  assert.deepEqual(r.inputBefore, [iif('wan0')]);
  assert.deepEqual(r.inputAfterMove, [iif('wan1')]);

  assert.deepEqual([r.banV4, r.banV6, r.banAllowed, r.admitScanner], [true, true, false, false]);
  assert.deepEqual(r.bans, [
    ['2001:db8:bad::1', 'manual', true],
    ['203.0.113.66', 'manual', true],
    ['203.0.113.77', 'scanner-user-agent', true],
    ['203.0.113.88', 'auth-failures', true],
  ]);
  assert.deepEqual([r.unban, r.unbanAgain, r.bansAfterUnban], [true, false, ['2001:db8:bad::1', '203.0.113.77', '203.0.113.88']]);
  assert.deepEqual([r.cleared, r.bansAfterClear], [3, 0]);
  assert.deepEqual(r.peers, [{ elem: { val: { concat: ['198.51.100.10', 10002] }, timeout: 60, expires: 60 } }]);
  assert.deepEqual(r.bansAfterReplace, ['203.0.113.99'], 'a full replace carries bans over');

  assert.deepEqual(r.badBatch, { code: 'ERR_NFT', message: 'nftables refused a broken batch: internal:0:0-0: Error: No such file or directory' });
  assert.equal(r.tableUnchanged, true);
  assert.equal(r.icmpStill25, true);

  assert.deepEqual(r.imported, { description: '', source: 'Vonage KB (test)', published: '2026-11-20', entries: ['198.51.100.0/28', '2001:db8:5::/48'] });
  assert.deepEqual(r.importError, [
    { path: '/firewall/address_lists/broken/entries/0', message: '"198.51.100.1/24" has host bits set (the block is 198.51.100.0/24)' },
  ]);
  assert.deepEqual(r.tablesAfterDisable, ['someone_else'], 'only our table is removed');
  assert.deepEqual(
    (r.logs as string[][]).filter((l) => l[0] === 'source banned').map((l) => l[1]),
    ['manual', 'manual', 'scanner-user-agent', 'auth-failures', 'manual'],
    'every ban logged with its reason',
  );
});
