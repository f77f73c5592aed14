// sbcd as a process: the embedded default, a refused config, SIGTERM with
// calls in progress, and a commit applied while a call is up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { ConfigStore } from '../../../src/config/store.js';
import {
  ADDR,
  daemonPath,
  defaultTestConfig,
  describeSipp,
  freePort,
  repoRoot,
  select,
  startSbcd,
  startSipp,
  tmpDir,
  type Sbcd,
} from '../harness/index.js';

// One request over UDP from a socket of our own; resolves with the first
// final response's status line (or null after timeoutMs).
async function udpRequest(
  method: string,
  to: { ip: string; port: number },
  extra = '',
  timeoutMs = 3000,
): Promise<string | null> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.10', r));
  const { port } = sock.address();
  const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
  const msg =
    `${method} sip:14155550100@${to.ip}:${to.port} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.10:${port};branch=${branch};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:test@127.0.0.10>;tag=t${branch}\r\nTo: <sip:14155550100@${to.ip}>\r\n` +
    `Call-ID: ${branch}@127.0.0.10\r\nCSeq: 1 ${method}\r\n${extra}Content-Length: 0\r\n\r\n`;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, timeoutMs);
    sock.on('message', (buf) => {
      const line = buf.toString('latin1').split('\r\n')[0] ?? '';
      if (/^SIP\/2\.0 1\d\d/.test(line)) return;
      clearTimeout(timer);
      sock.close();
      resolve(line);
    });
    sock.send(msg, to.port, to.ip);
  });
}

// One call PBX → sbcd → Vonage stand-in with SIPp's built-in scenarios; the
// caller hangs up after holdMs. Returns both SIPp handles.
async function startCall(sbc: Sbcd, holdMs: number, vonagePort = sbc.vonage.port) {
  const uas = await startSipp({ scenario: 'uas', ip: ADDR.vonage, port: vonagePort, calls: 1, timeoutMs: 30000 });
  const uac = await startSipp({
    scenario: 'uac',
    ip: ADDR.pbx,
    port: await freePort(ADDR.pbx),
    remote: { ip: sbc.lan.ip, port: sbc.lan.udp },
    calls: 1,
    extra: ['-d', String(holdMs)],
    timeoutMs: 30000,
  });
  return { uas, uac };
}

test('with no arguments but a data dir, sbcd runs the embedded default on loopback', async () => {
  const dataDir = join(tmpDir('sbcd-default-'), 'data');
  const proc = spawn(process.execPath, [daemonPath, '--data-dir', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const deadline = Date.now() + 15000;
    while (!out.includes('"msg":"sbcd ready"')) {
      assert.ok(Date.now() < deadline, `sbcd did not become ready:\n${out}`);
      assert.equal(proc.exitCode, null, `sbcd exited:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // LAN 127.0.0.1:5060 answers OPTIONS itself; TLS got a self-signed cert.
    assert.equal(await udpRequest('OPTIONS', { ip: '127.0.0.1', port: 5060 }), 'SIP/2.0 200 OK');
    assert.ok(existsSync(join(dataDir, 'tls', 'self-signed.crt')));
    assert.ok(existsSync(join(dataDir, 'config.db')));
  } finally {
    proc.kill('SIGTERM');
    const code = await new Promise((r) => proc.once('exit', r));
    assert.equal(code, 0, out);
  }
});

test('an invalid --config is refused with exit 2, the field path and the reason', async () => {
  const work = tmpDir('sbcd-bad-');
  const { writeFileSync } = await import('node:fs');
  const file = join(work, 'bad.yaml');
  writeFileSync(file, 'version: 1\nsides:\n  lan:\n    addresses: ["127.0.0.1"]\n    udp: 70000\n');
  const proc = spawn(process.execPath, [daemonPath, '--data-dir', join(work, 'data'), '--config', file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise((r) => proc.once('exit', r));
  assert.equal(code, 2);
  assert.match(err, /\/sides\/lan\/udp/);
  assert.match(err, /65535/);
});

test('SIGTERM lets a call in progress finish, refuses new calls with 503, then exits 0', async () => {
  const sbc = await startSbcd({ config: { system: { log_level: 'debug' }, sip: { shutdown_grace_s: 20 } } });
  const { uas, uac } = await startCall(sbc, 3000);
  await sbc.waitForLog((l) => l.msg === 'call established', 10000);
  sbc.proc.kill('SIGTERM');
  await sbc.waitForLog((l) => l.msg === 'sbcd stopping', 5000);
  const refused = await udpRequest('INVITE', { ip: sbc.lan.ip, port: sbc.lan.udp });
  assert.equal(refused, 'SIP/2.0 503 Service Unavailable');
  assert.equal(sbc.proc.exitCode, null, 'sbcd must wait for the call in progress');
  const caller = await uac.done;
  assert.equal(caller.code, 0, describeSipp(caller));
  const callee = await uas.done;
  assert.equal(select(callee.messages, { direction: 'received', method: 'BYE' }).length, 1);
  const exit = await sbc.exited;
  assert.equal(exit.code, 0);
});

test('SIGTERM past the grace period hangs up both legs with BYE and exits 0', async () => {
  const sbc = await startSbcd({ config: { system: { log_level: 'debug' }, sip: { shutdown_grace_s: 1 } } });
  const { uas, uac } = await startCall(sbc, 20000);
  await sbc.waitForLog((l) => l.msg === 'call established', 10000);
  const t0 = Date.now();
  const exit = await sbc.stop('SIGTERM');
  assert.equal(exit.code, 0);
  assert.ok(Date.now() - t0 < 10000);
  const callee = await uas.done;
  assert.equal(select(callee.messages, { direction: 'received', method: 'BYE' }).length, 1, 'the callee got a BYE');
  await uac.stop();
  const caller = await uac.done;
  assert.equal(select(caller.messages, { direction: 'received', method: 'BYE' }).length, 1, 'the caller got a BYE');
});

test('a commit applied with SIGHUP re-routes new calls and keeps the call in progress', async () => {
  const sbc = await startSbcd({ config: { system: { log_level: 'debug' }, sip: { shutdown_grace_s: 5 } } });
  const { uas: uas1, uac: uac1 } = await startCall(sbc, 3000);
  await sbc.waitForLog((l) => l.msg === 'call established', 10000);

  // Another process (here: the test) commits a config whose trunk points elsewhere.
  const port2 = await freePort(ADDR.vonage);
  const store = ConfigStore.open(join(sbc.dataDir, 'config.db'));
  const doc = store.running();
  doc.trunks[0]!.endpoints = [{ host: ADDR.vonage, port: port2 }];
  store.setCandidate(doc);
  store.commit({ user: 'test', comment: 'move the trunk' });
  store.close();
  sbc.proc.kill('SIGHUP');
  await sbc.waitForLog((l) => l.msg === 'running config applied', 5000);

  const first = await uac1.done;
  assert.equal(first.code, 0, describeSipp(first));
  assert.equal(select((await uas1.done).messages, { direction: 'received', method: 'BYE' }).length, 1);

  const { uas: uas2, uac: uac2 } = await startCall(sbc, 0, port2);
  const second = await uac2.done;
  assert.equal(second.code, 0, describeSipp(second));
  assert.equal(select((await uas2.done).messages, { direction: 'received', method: 'INVITE' }).length, 1);
  await sbc.stop();
});

test('kill -9 of sbcd while it commits its --config leaves the old or the new commit, never between', async () => {
  const work = tmpDir('sbcd-kill9-');
  const dataDir = join(work, 'data');
  const base = await defaultTestConfig();
  // A box that has run once: the store exists with its default commit (a kill
  // before the first start would leave no database at all, which is no test).
  mkdirSync(dataDir, { recursive: true });
  ConfigStore.open(join(dataDir, 'config.db')).close();
  for (let round = 0; round < 10; round++) {
    // Each round commits a document that differs (system.name), then dies at a random moment.
    const file = join(work, `round-${round}.json`);
    writeFileSync(file, JSON.stringify({ ...base, system: { ...base.system, name: `kill-${round}` } }));
    const proc = spawn(process.execPath, [daemonPath, '--data-dir', dataDir, '--config', file], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 80 + Math.floor(Math.random() * 400)));
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));

    const db = new Database(join(dataDir, 'config.db'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    const store = ConfigStore.open(join(dataDir, 'config.db'));
    try {
      const latest = store.history(1)[0]!;
      assert.deepEqual(store.running(), store.commitSnapshot(latest.id), `round ${round}: running is not the latest commit`);
      // A round may die before, during or after its commit: any document committed so far, whole.
      const committed = ['edgesbc', ...Array.from({ length: round + 1 }, (_, i) => `kill-${i}`)];
      assert.ok(committed.includes(store.running().system.name), `round ${round}: ${store.running().system.name}`);
    } finally {
      store.close();
    }
  }
});
