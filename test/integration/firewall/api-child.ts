// Runs inside a fresh network namespace (`unshare -n`, see api.test.ts):
// drives the Firewall TypeScript API against the real kernel and prints one
// JSON object of observations for the parent test to assert on.
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument } from '../../../src/config/document.js';
import { ConfigStore } from '../../../src/config/store.js';
import { validateDocument } from '../../../src/config/validate.js';
import { Firewall, importAddressList } from '../../../src/firewall/index.js';
import { allLists } from '../../../src/firewall/address-lists.js';
import { replaceTableBatch } from '../../../src/firewall/batch.js';
import { runNft } from '../../../src/firewall/nft.js';
import { generateRuleset } from '../../../src/firewall/ruleset.js';
import { createLogger } from '../../../src/log.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readInterfaces } from '../../../src/firewall/interfaces.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out: Record<string, unknown> = {};
const logs: Record<string, unknown>[] = [];
const log = createLogger('info');
// Keep the log lines for the parent (pino writes JSON lines to stdout otherwise).
const capture = new Proxy(log, {
  get(target, prop, recv) {
    if (prop === 'info' || prop === 'warn' || prop === 'error') {
      return (obj: Record<string, unknown>, msg: string) => logs.push({ level: prop, msg, ...obj });
    }
    if (prop === 'child') return () => capture;
    return Reflect.get(target, prop, recv) as unknown;
  },
});

function doc(edit: (d: ConfigDocument) => void = () => {}): ConfigDocument {
  const d = defaultConfig();
  d.sides.wan!.addresses = ['198.51.100.1', '2001:db8:100::1'];
  d.trunks[0]!.endpoints = [{ host: 'sip.vonage.test', port: 5060 }];
  d.firewall.enabled = true;
  d.firewall.resolve_interval_s = 1;
  d.firewall.bans.allow_list = ['192.0.2.0/24'];
  d.firewall.trunks = { vonage: { signalling_lists: ['vonage-signalling-legacy'], media_policy: 'signalled-peers', media_lists: [] } };
  edit(d);
  return validateDocument(d);
}

const dns = new Map<string, string[]>([['sip.vonage.test', ['198.51.100.10']]]);
const fw = new Firewall({ log: capture, banSyncMs: 0, resolve: async (h) => dns.get(h) ?? [] });

const setElems = (name: string): unknown[] => {
  const listed = runNft({ nftables: [{ list: { set: { family: 'inet', table: 'edgesbc', name } } }] });
  const s = (listed.find((x) => typeof x === 'object' && x !== null && 'set' in x) as { set: { elem?: unknown[] } }).set;
  return s.elem ?? [];
};

async function main(): Promise<void> {
  const d1 = doc();
  const first = await fw.preview(d1);
  out.previewEmptyKernel = { check: first.check, plus: first.changes.filter((c) => c.op === '+').length, minus: first.changes.filter((c) => c.op === '-').length };
  await fw.apply(d1, 'test');
  out.previewAfterApply = (await fw.preview(d1)).changes;
  const d2 = doc((d) => (d.firewall.icmp_per_s = 25));
  out.previewIcmp = (await fw.preview(d2)).changes.map((c) => `${c.op} ${c.line.slice(0, 60)}`);
  out.sigAfterApply = setElems('sig_vonage_v4');
  const inputRules = () =>
    runNft({ nftables: [{ list: { chain: { family: 'inet', table: 'edgesbc', name: 'input' } } }] })
      .flatMap((x) => (typeof x === 'object' && x !== null && 'rule' in x ? [JSON.stringify((x as { rule: { expr: unknown } }).rule.expr)] : []));
  out.interfaces = readInterfaces().filter((i) => i.name.startsWith('wan')).sort((a, b) => a.name.localeCompare(b.name)).map((i) => [i.name, i.up, i.addresses.map((a) => `${a.address}/${a.prefixLen}`)]);
  out.inputBefore = inputRules().filter((r) => r.includes('iifname'));
  // The WAN address moves to another interface (HA, a new uplink): followed at the next re-read.
  execFileSync('ip', ['addr', 'del', '198.51.100.1/24', 'dev', 'wan0']);
  execFileSync('ip', ['addr', 'add', '198.51.100.1/24', 'dev', 'wan1']);

  // Re-resolution on the schedule updates the set in place.
  dns.set('sip.vonage.test', ['198.51.100.11']);
  await new Promise((r) => setTimeout(r, 1500));
  out.sigAfterResolve = setElems('sig_vonage_v4');
  out.inputAfterMove = inputRules().filter((r) => r.includes('iifname'));

  // Bans: v4 and v6, listed with reasons, allow-list refused, unban, clear.
  out.banV4 = fw.ban('203.0.113.66', { reason: 'manual', detail: 'test' }, 30);
  out.banV6 = fw.ban('2001:db8:bad::1', { reason: 'manual', detail: 'test v6' }, 30);
  out.banAllowed = fw.ban('192.0.2.7', { reason: 'manual', detail: 'allow-listed' }, 30);
  out.admitScanner = fw.admit({ ip: '203.0.113.77', side: 'wan', method: 'OPTIONS', userAgent: 'sipcli/v1.8' });
  for (let i = 0; i < 5; i++) fw.authFailed('203.0.113.88');
  out.bans = fw.listBans().map((b) => [b.ip, b.reason, b.expiresInS > 0]);
  out.unban = fw.unban('203.0.113.66');
  out.unbanAgain = fw.unban('203.0.113.66');
  out.bansAfterUnban = fw.listBans().map((b) => b.ip);
  out.cleared = fw.clearBans();
  out.bansAfterClear = fw.listBans().length;

  // Signalled peers (media engine hook).
  fw.allowMediaPeer('198.51.100.10', 10002, 60);
  out.peers = setElems('peers_v4');

  // A full replace keeps bans (with their remaining time).
  fw.ban('203.0.113.99', { reason: 'manual', detail: 'carried' }, 60);
  await fw.apply(d2, 'structure changed');
  out.bansAfterReplace = fw.listBans().map((b) => b.ip);

  // One batch is one transaction: a bad command at the end leaves the table as it was.
  const before = runNft({ nftables: [{ list: { table: { family: 'inet', name: 'edgesbc' } } }] }).length;
  const rs = generateRuleset({ doc: d1, lists: allLists(d1.firewall), resolved: new Map() });
  const bad = replaceTableBatch(rs);
  bad.nftables.push({ add: { rule: { family: 'inet', table: 'edgesbc', chain: 'wan', expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '@nosuch' } }, { drop: null }] } } });
  try {
    runNft(bad, { what: 'a broken batch' });
    out.badBatch = 'accepted';
  } catch (err) {
    const e = err as Error & { code?: string; nftMessage?: string };
    out.badBatch = { code: e.code, message: e.message.split('\n')[0] };
  }
  out.tableUnchanged = runNft({ nftables: [{ list: { table: { family: 'inet', name: 'edgesbc' } } }] }).length === before;
  out.icmpStill25 = JSON.stringify(runNft({ nftables: [{ list: { table: { family: 'inet', name: 'edgesbc' } } }] })).includes('"rate":25');

  // Importing a list from text into the candidate (then a commit would apply it).
  const store = ConfigStore.open(join(mkdtempSync(join(tmpdir(), 'fw-api-')), 'config.db'), { confirmTimer: false });
  const imported = importAddressList(store, { name: 'vonage-kb-2026-11', source: 'Vonage KB (test)', published: '2026-11-20', text: '# current list\n198.51.100.0/28\n2001:db8:5::/48 # v6\n' });
  out.imported = imported.firewall.address_lists['vonage-kb-2026-11'];
  try {
    importAddressList(store, { name: 'broken', source: 'x', text: '198.51.100.1/24\n' });
  } catch (err) {
    out.importError = (err as { errors?: unknown }).errors;
  }
  store.close();

  // Disabled: our table goes, nothing else.
  runNft({ nftables: [{ add: { table: { family: 'inet', name: 'someone_else' } } }] });
  await fw.apply(doc((d) => (d.firewall.enabled = false)), 'off');
  out.tablesAfterDisable = runNft({ nftables: [{ list: { tables: { family: 'inet' } } }] })
    .flatMap((x) => (typeof x === 'object' && x !== null && 'table' in x ? [(x as { table: { name: string } }).table.name] : []));
  fw.close();
  out.logs = logs.map((l) => [l.msg, l.reason ?? l.why ?? '']);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ fatal: String((err as Error).stack ?? err) })}\n`);
  process.exit(1);
});
