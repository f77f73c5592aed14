// The engine's life as a process sees it: close() lets the process end by
// itself, process.exit() with the engine running exits cleanly (the addon
// stops the SIP thread before Node tears down), and an exception thrown by
// an application handler surfaces as an uncaught exception without losing
// the rest of the batch. Each case runs in a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { freePort, repoRoot } from '../harness/index.js';

const sipIndex = pathToFileURL(join(repoRoot, 'dist', 'src', 'sip', 'index.js')).href;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runChild(script: string, timeoutMs = 10_000): Promise<ChildResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const describe = (r: ChildResult): string => `code=${r.code} signal=${r.signal} ms=${r.ms}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

test('after close() nothing keeps the process alive', async () => {
  const port = await freePort();
  const r = await runChild(`
    import { SipEngine } from '${sipIndex}';
    const e = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: '127.0.0.1', port: ${port} }] });
    e.request({ method: 'OPTIONS', uri: 'sip:x@127.0.0.1:9', side: 'lan', from: { uri: 'sip:a@127.0.0.1' }, to: { uri: 'sip:x@127.0.0.1' } });
    await e.close();
    await e.close();
    console.log('closed');
  `);
  assert.equal(r.signal, null, describe(r));
  assert.equal(r.code, 0, describe(r));
  assert.match(r.stdout, /closed/);
  assert.ok(r.ms < 5000, describe(r));
});

test('a running engine keeps the process alive until closed', async () => {
  const port = await freePort();
  const r = await runChild(`
    import { SipEngine } from '${sipIndex}';
    const e = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: '127.0.0.1', port: ${port} }] });
    const t0 = Date.now();
    setTimeout(() => { console.log('still here'); void e.close(); }, 300).unref();
    process.on('exit', () => console.log('exit after', Date.now() - t0));
  `);
  assert.equal(r.code, 0, describe(r));
  assert.match(r.stdout, /still here/, describe(r));
});

test('process.exit() with the engine running and traffic in flight exits cleanly', async () => {
  const port = await freePort();
  const r = await runChild(`
    import { SipEngine } from '${sipIndex}';
    import dgram from 'node:dgram';
    const e = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: '127.0.0.1', port: ${port} }] });
    e.on('request', (t) => { t.respond(180); });
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      for (let i = 0; i < 20; i++) {
        s.send(['INVITE sip:x@127.0.0.1:${port} SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:' + p + ';branch=z9hG4bKexit' + i + ';rport',
          'Max-Forwards: 70', 'From: <sip:a@127.0.0.1>;tag=' + i, 'To: <sip:x@127.0.0.1>', 'Call-ID: exit' + i + '@t', 'CSeq: 1 INVITE',
          'Content-Length: 0', '', ''].join('\\r\\n'), ${port}, '127.0.0.1');
      }
      setTimeout(() => { console.log('exiting', e.stats().js.dialogs); process.exit(7); }, 200);
    });
  `);
  assert.equal(r.signal, null, describe(r));
  assert.equal(r.code, 7, describe(r));
  assert.match(r.stdout, /exiting [1-9]/, describe(r));
});

test('a throwing handler is an uncaught exception, and the rest of the batch is still delivered', async () => {
  const port = await freePort();
  const r = await runChild(`
    import { SipEngine } from '${sipIndex}';
    import dgram from 'node:dgram';
    const e = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'udp', ip: '127.0.0.1', port: ${port} }] });
    let seen = 0, thrown = 0;
    process.on('uncaughtException', (err) => { thrown++; });
    e.on('request', (t) => { seen++; t.respond(200); if (seen === 1) throw new Error('handler bug'); });
    const s = dgram.createSocket('udp4');
    let answers = 0;
    s.on('message', () => { if (++answers === 3) { console.log('seen', seen, 'thrown', thrown); s.close(); void e.close(); } });
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      for (let i = 0; i < 3; i++) {
        s.send(['OPTIONS sip:x@127.0.0.1:${port} SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:' + p + ';branch=z9hG4bKthrow' + i + ';rport',
          'Max-Forwards: 70', 'From: <sip:a@127.0.0.1>;tag=' + i, 'To: <sip:x@127.0.0.1>', 'Call-ID: throw' + i + '@t', 'CSeq: 1 OPTIONS',
          'Content-Length: 0', '', ''].join('\\r\\n'), ${port}, '127.0.0.1');
      }
    });
  `);
  assert.equal(r.code, 0, describe(r));
  assert.match(r.stdout, /seen 3 thrown 1/, describe(r));
});
