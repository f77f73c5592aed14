// The `sbc` console CLI against a real sbcd over its local socket: the
// first-boot wizard (from stdin and through a pseudo-terminal, secrets never
// echoed), every show command, configure mode (set, delete, show | compare,
// commit confirmed, confirm, rollback, save/load, discard), refusals with
// their paths and exit codes, scripts on stdin, --json, completion.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { SbcdClient } from '../../../src/cli/client.js';
import type { Io } from '../../../src/cli/io.js';
import { Shell } from '../../../src/cli/shell.js';
import { repoRoot, startSbcd, tmpDir, type Sbcd } from '../harness/index.js';

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const ADMIN_PASSWORD = 'first-Boot-pass-9';
const VONAGE_SECRET = 'S3cr3t-never-shown';

interface Run {
  code: number | null;
  out: string;
  err: string;
}

// Whether another OS user can run the CLI from this checkout (every
// directory above it searchable, the files readable): not in a home directory.
function othersCanRun(): boolean {
  const files = [CLI, realpathSync(join(repoRoot, 'node_modules', 'yaml', 'package.json')), process.execPath];
  return files.every((f) => {
    if ((statSync(f).mode & 0o004) === 0) return false;
    for (let d = dirname(f); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (d === dirname(d)) return true;
    }
  });
}
const asOtherUsers = process.getuid?.() === 0 && othersCanRun();

let sbcd: Sbcd;
let socket: string;

// One sbc process; stdin gets `input` then EOF. Bounded: killed after 20 s.
function sbc(args: string[], input = '', opts: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, EDGESBC_SOCKET: socket },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
    p.stdin.end(input);
  });
}

before(async () => {
  // The socket's group is nogroup: the OS user nobody may use the CLI, daemon may not.
  sbcd = await startSbcd({ config: { api: { enabled: false } }, env: { EDGESBC_SOCKET_GROUP: 'nogroup' } });
  socket = join(sbcd.dataDir, 'sbcd.sock');
  await sbcd.waitForLog((l) => l.msg === 'local socket listening (sbc CLI)');
  chmodSync(dirname(sbcd.dataDir), 0o711);
  chmodSync(sbcd.dataDir, 0o711);
});

after(async () => {
  await sbcd?.stop();
});

test('the socket is 0660 and the proof directory sticky, not listable', () => {
  assert.equal(statSync(socket).mode & 0o7777, 0o660);
  assert.equal(statSync(join(sbcd.dataDir, 'cli-auth')).mode & 0o7777, 0o1730);
});

test('before setup: commands are refused until the generated password is changed (exit 1)', async () => {
  const r = await sbc(['show', 'trunks']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /change your password first.*sbc setup/);
});

test('sbc setup from stdin: password, LAN address, Vonage trunk, diff, commit; secrets never printed', async () => {
  const answers = [ADMIN_PASSWORD, ADMIN_PASSWORD, '127.0.0.1', 'abcd1234', VONAGE_SECRET, 'us', '', 'yes'];
  const r = await sbc(['setup'], answers.map((a) => `${a}\n`).join(''));
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /4\. What commit will change:/);
  assert.match(r.out, /~ \/trunks\/vonage\/kind: "generic" -> "vonage"/);
  assert.match(r.out, /~ \/trunks\/vonage\/api_secret: "" -> "\*\*\*\*\*\*\*\*"/);
  assert.match(r.out, /Committed \(commit \d+\)/);
  for (const s of [ADMIN_PASSWORD, VONAGE_SECRET]) assert.ok(!`${r.out}${r.err}`.includes(s), 'a secret was printed');
  assert.equal(existsSync(join(sbcd.dataDir, 'admin-password')), false, 'the first-boot password file is gone');

  const t = await sbc(['--json', '-c', 'show configuration trunks vonage']);
  assert.equal(t.code, 0, t.err);
  const trunk = JSON.parse(t.out) as Record<string, unknown>;
  assert.equal(trunk.kind, 'vonage');
  assert.equal(trunk.region, 'us');
  assert.equal(trunk.country, 'US');
  assert.equal(trunk.endpoint_set, 'vonage-current');
  assert.equal(trunk.api_key, 'abcd1234');
  assert.equal(trunk.api_secret, '********');
  const h = await sbc(['show', 'history', '1']);
  assert.match(h.out, /first-boot setup \(sbc setup\)/);
});

test('show calls|trunks|routes|bans|system|log', async () => {
  // One process for five commands: their outputs follow each other.
  const r = await sbc(['-c', 'show calls; show trunks; show routes; show bans; show log 5']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /no calls in progress/);
  assert.match(r.out, /^NAME +KIND +TRANSPORT +REGION +ENDPOINTS +ENABLED +HEALTH\nvonage +vonage +\S+ +us +set vonage-current +yes/m);
  assert.match(r.out, /^pbx-to-vonage +100 +lan +\* +\* +trunk vonage +yes$/m);
  assert.match(r.out, /firewall is off/);
  assert.match(r.out, /^TIME +USER +SOURCE +ACTION/m);
  assert.match(r.out, /cli:root +login/);
  const system = await sbc(['show', 'system']);
  assert.equal(system.code, 0, system.err);
  assert.match(system.out, /^cpu: +\d+ cores/m);
  assert.match(system.out, /^config: +commit \d+ by admin/m);
  const json = await sbc(['--json', 'show', 'routes']);
  assert.ok(Array.isArray(JSON.parse(json.out)));
});

test('configure: set, show | compare, commit confirmed, confirm, delete, rollback, discard', async () => {
  let r = await sbc(['-c', 'configure; set system name edge-test; set pbxs pbx2 host 127.0.0.11 port 5092; show | compare']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /~ \/system\/name: "edgesbc-test" -> "edge-test"/);
  assert.match(r.out, /\+ \/pbxs\/pbx2: \{"name":"pbx2".*"host":"127\.0\.0\.11","port":5092/);
  r = await sbc(['-c', 'commit confirmed 5 comment try the new name']);
  assert.equal(r.code, 0, r.err);
  const id = Number(/commit (\d+) done; it rolls back at \S+ unless you "confirm"/.exec(r.out)?.[1]);
  assert.ok(id > 0, r.out);
  r = await sbc(['-c', 'confirm']);
  assert.match(r.out, new RegExp(`commit ${id} confirmed`));
  r = await sbc(['-c', 'confirm']);
  assert.equal(r.code, 1);
  r = await sbc(['-c', 'delete pbxs pbx2; commit comment drop pbx2']);
  assert.equal(r.code, 0, r.err);
  r = await sbc(['--json', '-c', 'rollback ' + id]);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { kind: string }).kind, 'rollback');
  r = await sbc(['--json', '-c', 'show configuration pbxs pbx2 port']);
  assert.equal(r.out.trim(), '5092');
  r = await sbc(['-c', 'set system name scratch; discard; show | compare']);
  assert.match(r.out, /no changes/);
});

test('save and load the declarative document', async () => {
  const file = join(tmpDir('sbc-save-'), 'site.yaml');
  let r = await sbc(['-c', `save ${file}`]);
  assert.equal(r.code, 0, r.err);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /api_secret: "\*\*\*\*\*\*\*\*"/);
  assert.ok(!text.includes(VONAGE_SECRET));
  writeFileSync(file, text.replace(/^ {2}name: edge-test$/m, '  name: loaded-name'));
  r = await sbc(['-c', `load ${file}; show | compare`]);
  assert.equal(r.code, 0, r.err);
  // Only the name changed: the masked secret kept the stored one.
  assert.equal(r.out.split('\n').filter((l) => /^[~+-] /.test(l)).join('\n'), '~ /system/name: "edge-test" -> "loaded-name"');
  r = await sbc(['-c', 'discard']);
  assert.equal(r.code, 0);
  writeFileSync(file, 'system: [unclosed');
  r = await sbc(['-c', `load ${file}`]);
  assert.equal(r.code, 1);
  assert.match(r.err, /is not valid YAML/);
});

test('refused input: exit 1 with the document path and the reason; nothing changes', async () => {
  let r = await sbc(['-c', 'set sides lan udp 99999']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^ {2}\/sides\/lan\/udp: must be <= 65535$/m);
  r = await sbc(['-c', 'set trunks vonage bogus 1']);
  assert.equal(r.code, 1);
  assert.match(r.err, /\/trunks\/0: no field "bogus" here; fields: name, kind/);
  r = await sbc(['-c', 'set routes pbx-to-vonage to trunk nosuch']);
  assert.equal(r.code, 1);
  assert.match(r.err, /\/routes\/0\/to\/trunk: /);
  r = await sbc(['-c', 'frobnicate']);
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown command "frobnicate"/);
  r = await sbc(['--json', '-c', 'set sides wan tcp -1']);
  assert.equal(r.code, 1);
  const e = JSON.parse(r.err) as { error: { code: string; problems: Array<{ path: string }> } };
  assert.equal(e.error.code, 'ERR_VALIDATION');
  assert.equal(e.error.problems[0]?.path, '/sides/wan/tcp');
  r = await sbc(['-c', 'show | compare']);
  assert.match(r.out, /no changes/, 'the refusals left the candidate alone');
});

test('scripts on stdin run in order and stop at the first failure with its code', async () => {
  const r = await sbc([], 'configure\nset system name from-stdin\nset system nope 1\nset system name never\n');
  assert.equal(r.code, 1);
  const c = await sbc(['--json', '-c', 'configure; show system name']);
  assert.equal(JSON.parse(c.out), 'from-stdin');
  const ok = await sbc([], 'discard\nshow | compare\nexit\n');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /no changes/);
});

test('cannot reach sbcd: exit 2', async () => {
  const r = await sbc(['--socket', join(sbcd.dataDir, 'missing.sock'), 'show', 'calls']);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot reach sbcd at .*missing\.sock: no socket there/);
  if (asOtherUsers) {
    // An OS user outside the socket's group gets nothing.
    const other = await sbc(['show', 'calls'], '', { uid: 1, gid: 1 });
    assert.equal(other.code, 2, other.err);
    assert.match(other.err, /permission denied/);
  }
});

test('another OS user in the socket group: its own EdgeSBC account and that account’s role', async (t) => {
  if (!asOtherUsers) return t.skip('needs root, and a checkout other users can read, to run sbc as nobody');
  const asNobody = (args: string[]) => sbc(args, '', { uid: 65534, gid: 65534 });
  let r = await asNobody(['show', 'routes']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /no EdgeSBC account named "nobody" for the local user nobody/);
  const admin = new SbcdClient(socket);
  await admin.login();
  try {
    await admin.call('POST', '/users', { name: 'nobody', password: 'viewer-pass-1', role: 'viewer', mustChangePassword: false });
  } finally {
    await admin.logout();
    admin.close();
  }
  r = await asNobody(['show', 'routes']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /pbx-to-vonage/);
  r = await asNobody(['-c', 'set system name not-allowed']);
  assert.equal(r.code, 1);
  assert.match(r.err, /this needs the operator role; nobody is viewer/);
  const log = await sbc(['show', 'log', '20']);
  assert.match(log.out, /nobody +cli:nobody +login +local user nobody/);
});

test('completion and help come from the schema and the candidate', async () => {
  const client = new SbcdClient(socket);
  await client.login();
  const lines: string[] = [];
  const io: Io = {
    interactive: false,
    out: (t) => void lines.push(t),
    err: (t) => void lines.push(t),
    readLine: async () => undefined,
    readSecret: async () => undefined,
    close: () => {},
  };
  const shell = new Shell(client, io, { json: false, implicitConfigure: false });
  try {
    assert.deepEqual(await shell.complete('con'), [['configure '], 'con']);
    assert.deepEqual(await shell.complete('show '), [['calls', 'trunks', 'routes', 'bans', 'system', 'log', 'configuration', 'history'], '']);
    await shell.runText('configure');
    assert.deepEqual(await shell.complete('set trunks v'), [['vonage '], 'v']);
    assert.deepEqual(await shell.complete('set trunks vonage tr'), [['transport '], 'tr']);
    assert.deepEqual(await shell.complete('set trunks vonage transport '), [['udp', 'tcp', 'tls'], '']);
    assert.ok((await shell.complete('set pbxs '))[0].includes('pbx'));
    assert.deepEqual(await shell.complete('commit '), [['confirmed', 'comment'], '']);
    assert.deepEqual(await shell.complete('show | '), [['compare '], '']);
    assert.deepEqual(await shell.complete('run show ro'), [['routes '], 'ro']);
    await shell.runText('set trunks vonage ?');
    assert.ok(lines.some((l) => /api_secret +secret text — Vonage API secret/.test(l)), lines.join('\n'));
    // A session that ended (sbcd restarted, idle timeout) is opened again by itself.
    await client.call('POST', '/auth/logout', {});
    const st = await client.get<{ changes: number }>('/config/status');
    assert.equal(typeof st.changes, 'number');
  } finally {
    await client.logout();
    client.close();
  }
});

// Drives `sbc ARGS` in a pseudo-terminal (util-linux script(1)): waits for
// each prompt, then types the answer. Bounded: 20 s in all.
async function pty(args: string, sock: string, steps: Array<[RegExp, string]>): Promise<{ code: number | null; out: string; reached: number }> {
  const p = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} ${args}`, '/dev/null'], {
    // Not TERM=dumb: node's readline neither completes nor edits there.
    env: { ...process.env, EDGESBC_SOCKET: sock, TERM: 'vt100' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let step = 0;
  let seenUpTo = 0;
  const done = new Promise<number | null>((resolve) => p.on('close', resolve));
  const killer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  p.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    while (step < steps.length) {
      const m = steps[step]![0].exec(out.slice(seenUpTo));
      if (!m) break;
      seenUpTo += m.index + m[0].length;
      p.stdin.write(steps[step]![1]);
      step++;
    }
  });
  const code = await done;
  clearTimeout(killer);
  return { code, out, reached: step };
}

test('the wizard through a pseudo-terminal: the secrets are not echoed', async (t) => {
  if (!existsSync('/usr/bin/script')) return t.skip('no util-linux script(1)');
  const steps: Array<[RegExp, string]> = [
    [/new password \(not shown\): /, 'Another-pass-42\r'],
    [/again, to be sure \(not shown\): /, 'Another-pass-42\r'],
    [/LAN address of this box \[127\.0\.0\.1\]: /, '\r'],
    [/Vonage API key: /, 'abcd1234\r'],
    [/Vonage API secret \(not shown\): /, 'Pty-secret-77\r'],
    [/Region \(us, eu, ap\) \[eu\]: /, 'us\r'],
    [/\[US\]: /, '\r'],
    [/Commit\? \(yes\/no\) \[yes\]: /, 'no\r'],
  ];
  const r = await pty('setup', socket, steps);
  assert.equal(r.reached, steps.length, `stuck before step ${r.reached}:\n${r.out}`);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Not committed/);
  assert.match(r.out, /abcd1234/, 'plain answers are echoed');
  assert.ok(!r.out.includes('Another-pass-42'), 'the password was echoed');
  assert.ok(!r.out.includes('Pty-secret-77'), 'the Vonage secret was echoed');
  await sbc(['-c', 'discard']);
});

test('first interactive login on a fresh box: the wizard by itself, then the shell with Tab completion', async (t) => {
  if (!existsSync('/usr/bin/script')) return t.skip('no util-linux script(1)');
  const fresh = await startSbcd({ config: { api: { enabled: false } } });
  try {
    const sock = join(fresh.dataDir, 'sbcd.sock');
    await fresh.waitForLog((l) => l.msg === 'local socket listening (sbc CLI)');
    const steps: Array<[RegExp, string]> = [
      [/This box is not set up yet/, ''],
      [/new password \(not shown\): /, 'Fresh-pass-123\r'],
      [/again, to be sure \(not shown\): /, 'Fresh-pass-123\r'],
      [/LAN address of this box \[127\.0\.0\.1\]: /, '\r'],
      [/Vonage API key: /, 'key42\r'],
      [/Vonage API secret \(not shown\): /, 'Fresh-secret-5\r'],
      [/Region \(us, eu, ap\) \[eu\]: /, '\r'],
      [/\[GB\]: /, '\r'],
      [/Commit\? \(yes\/no\) \[yes\]: /, '\r'],
      [/Committed \(commit \d+\)/, ''],
      [/admin@[^\s>]+> /, 'configure\r'],
      [/admin@[^\s#]+# /, 'set trunks vonage tr\t'],
      [/transport /, '\x15set system name pty-box\r'],
      [/admin@[^\s#]+# /, 'show | compare\r'],
      [/~ \/system\/name: "edgesbc-test" -> "pty-box"/, 'exit\r'],
      [/uncommitted change/, 'exit\r'],
    ];
    const r = await pty('', sock, steps);
    assert.equal(r.reached, steps.length, `stuck before step ${r.reached}:\n${r.out}`);
    assert.equal(r.code, 0, r.out);
    assert.ok(!r.out.includes('Fresh-pass-123') && !r.out.includes('Fresh-secret-5'), 'a secret was echoed');
  } finally {
    await fresh.stop();
  }
});
