// Stream transports through the API. TLS: generateSelfSigned() writes a
// usable pair, a TLS listener started with it takes a request over TLS
// (minVersion is enforced), a TLS listener without a certificate refuses to
// start. TCP: an answer to a peer that has gone surfaces as transportError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { generateSelfSigned, SipEngine, SipError, type ServerTransaction, type TransportErrorInfo } from '../../../src/sip/index.js';
import { freePort, tmpDir } from '../harness/index.js';
import { IP, withTimeout } from './util.js';

test('generateSelfSigned writes a PEM pair, or fails with ERR_TLS_CERT', () => {
  const dir = tmpDir('sip-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  generateSelfSigned(cert, key, 'edgesbc.test');
  assert.match(readFileSync(cert, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  assert.match(readFileSync(key, 'utf8'), /-----BEGIN (EC |)PRIVATE KEY-----/);
  assert.throws(
    () => generateSelfSigned(join(dir, 'missing-dir', 'c.pem'), join(dir, 'missing-dir', 'k.pem'), 'x'),
    (e: unknown) => e instanceof SipError && e.code === 'ERR_TLS_CERT',
  );
  assert.throws(() => generateSelfSigned('', key, 'x'), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === 'ERR_INVALID_ARG');
});

test('a TLS listener takes OPTIONS over TLS 1.2+ and refuses TLS 1.1', async () => {
  const dir = tmpDir('sip-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  generateSelfSigned(certFile, keyFile, 'edgesbc.test');
  const port = await freePort(IP);
  const engine = await SipEngine.start({
    listeners: [{ side: 'wan', proto: 'tls', ip: IP, port }],
    tls: { certFile, keyFile, minVersion: '1.2' },
  });
  try {
    const seen = new Promise<{ transport: string; method: string }>((resolve) =>
      engine.once('request', (st) => {
        resolve({ transport: st.request.transport, method: st.method });
        st.respond(200, { headers: [['X-Over', 'tls']] });
      }),
    );
    const sock = connect({ host: IP, port, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    await withTimeout(new Promise<void>((r, j) => sock.once('secureConnect', r).once('error', j)), 5000, 'TLS handshake');
    assert.ok(['TLSv1.2', 'TLSv1.3'].includes(sock.getProtocol() ?? ''), String(sock.getProtocol()));
    const reply = new Promise<string>((resolve) => {
      let buf = '';
      sock.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        if (buf.includes('\r\n\r\n')) resolve(buf);
      });
    });
    const local = sock.localPort;
    sock.write(
      [
        `OPTIONS sip:sbc@${IP}:${port};transport=tls SIP/2.0`,
        `Via: SIP/2.0/TLS ${IP}:${local};branch=z9hG4bK-tls-1`,
        'Max-Forwards: 70',
        `From: <sip:vonage@${IP}>;tag=t1`,
        `To: <sip:sbc@${IP}>`,
        'Call-ID: tls-1@test',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const req = await withTimeout(seen, 5000, 'request over TLS');
    assert.deepEqual(req, { transport: 'tls', method: 'OPTIONS' });
    const res = await withTimeout(reply, 5000, 'response over TLS');
    assert.match(res, /^SIP\/2\.0 200 /);
    assert.match(res, /\r\nX-Over: tls\r\n/i);
    sock.destroy();

    // V-OUT-9: current Vonage docs accept TLS 1.2 only; minVersion '1.2' must refuse 1.1.
    const old = connect({ host: IP, port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    const outcome = await withTimeout(
      new Promise<string>((r) => {
        old.once('secureConnect', () => r('connected'));
        old.once('error', (e) => r(`error ${e.message}`));
        old.once('close', () => r('closed'));
      }),
      5000,
      'TLS 1.1 attempt',
    );
    old.destroy();
    assert.notEqual(outcome, 'connected');
  } finally {
    await engine.close();
  }
});

test('a TLS listener without a certificate refuses to start', async () => {
  const port = await freePort(IP);
  await assert.rejects(
    SipEngine.start({ listeners: [{ side: 'wan', proto: 'tls', ip: IP, port }] }),
    (e: unknown) => e instanceof SipError && e.code === 'ERR_SIP_LISTEN' && /TLS/.test(e.message),
  );
});

test('an answer to a TCP peer that has gone emits transportError with the peer', async () => {
  const port = await freePort(IP);
  const engine = await SipEngine.start({ listeners: [{ side: 'lan', proto: 'tcp', ip: IP, port }] });
  try {
    const sock = createConnection({ host: IP, port });
    await withTimeout(new Promise<void>((r, j) => sock.once('connect', r).once('error', j)), 5000, 'TCP connect');
    const peerPort = sock.localPort!;
    const got = new Promise<ServerTransaction>((resolve) => engine.once('request', resolve));
    sock.write(
      [
        `OPTIONS sip:sbc@${IP}:${port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP ${IP}:${peerPort};branch=z9hG4bK-tcp-gone`,
        'Max-Forwards: 70',
        `From: <sip:pbx@${IP}>;tag=g1`,
        `To: <sip:sbc@${IP}>`,
        'Call-ID: tcp-gone@test',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const st = await withTimeout(got, 5000, 'request over TCP');
    assert.equal(st.request.transport, 'tcp');
    const closed = new Promise((r) => sock.once('close', r));
    sock.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, 100)); // let the engine see the close
    const err = new Promise<TransportErrorInfo>((resolve) => engine.once('transportError', resolve));
    st.respond(200);
    const e = await withTimeout(err, 5000, 'transportError');
    assert.equal(e.transport, 'tcp');
    assert.equal(e.listener, `lan-tcp-${IP}-${port}`);
    assert.deepEqual(e.remote, { ip: IP, port: peerPort });
    assert.ok(e.message.length > 0);
  } finally {
    await engine.close();
  }
});
