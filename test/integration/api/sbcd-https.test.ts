// The admin API of the real sbcd over HTTPS on 127.0.0.1: the first-boot
// admin logs in with the password from the data dir and must change it;
// a SIPp call with RTP shows in GET /calls with its per-leg media
// statistics while it is up; after it ends, its call record is in GET /cdrs
// with the packets counted and a MOS. Also: the certificate is the box's own
// (the self-signed one of SIP TLS), plain HTTP gets nothing, and nothing
// listens on the WAN address.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultTestConfig, freePort, startSbcd, type Sbcd } from '../harness/index.js';
import { assertSippPassed, startMediaCall } from '../harness/media-call.js';
import { audioAddress } from '../harness/media-sdp.js';
import { on } from '../harness/media-trace.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';

const PACKETS = 100;

interface Answer {
  status: number;
  body: any;
  setCookie: string | undefined;
}

class HttpsClient {
  cookie = '';
  csrf = '';
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly ca: Buffer,
  ) {}

  request(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.host,
          port: this.port,
          method,
          path: `/api/v1${path}`,
          ca: this.ca,
          // The box's certificate names the box, not 127.0.0.1: trust it by key, as an admin pins it.
          checkServerIdentity: () => undefined,
          timeout: 10_000,
          headers: {
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => {
            const sc = res.headers['set-cookie']?.[0];
            if (sc?.startsWith('edgesbc_session=')) this.cookie = sc.split(';')[0]!;
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, setCookie: sc });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('admin API of the real sbcd over HTTPS', { timeout: 120_000 }, () => {
  let sbc: Sbcd;
  let apiPort: number;

  before(async () => {
    const config = await defaultTestConfig({ tls: false });
    const base = 20_000 + 400 * Math.floor(Math.random() * 30);
    config.media = { workers: 1, timeout_s: 0, hold_timeout_s: 0 };
    (config.sides.lan as unknown as Record<string, unknown>).media = { port_min: base, port_max: base + 199 };
    (config.sides.wan as unknown as Record<string, unknown>).media = { port_min: base + 200, port_max: base + 399 };
    apiPort = await freePort('127.0.0.1');
    config.api = { port: apiPort };
    sbc = await startSbcd({ fullConfig: config });
    await sbc.waitForLog((l) => l.msg === 'admin API listening' || l.msg === 'admin API not listening: fix api.* (or free the port) and restart sbcd', 20_000);
  });
  after(async () => {
    await sbc?.stop();
  });

  test('first login, forced password change, a call with RTP live in /calls, its record in /cdrs', async () => {
    const listening = sbc.logs().find((l) => l.msg === 'admin API listening');
    assert.ok(listening, `admin API not listening: ${JSON.stringify(sbc.logs().filter((l) => l.mod === 'api'))}`);
    assert.deepEqual(listening.listen, [`https://127.0.0.1:${apiPort}/`]);

    const ca = readFileSync(join(sbc.dataDir, 'tls', 'self-signed.crt'));
    const password = readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim();
    assert.ok(!sbc.stdout().includes(password) && !sbc.stderr().includes(password), 'the first-boot password is never logged');
    const api = new HttpsClient('127.0.0.1', apiPort, ca);

    const login = await api.request('POST', '/auth/login', { name: 'admin', password });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.mustChangePassword, true);
    assert.match(login.setCookie ?? '', /HttpOnly; Secure; SameSite=Strict/);
    api.csrf = login.body.csrfToken;
    assert.equal((await api.request('GET', '/calls')).body.error.code, 'ERR_PASSWORD_CHANGE_REQUIRED');
    const changed = await api.request('POST', '/auth/password', { current: password, next: 'integration-pass-1' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    api.csrf = changed.body.csrfToken;
    assert.equal((await api.request('GET', '/calls')).body.count, 0);

    // A call PBX -> Vonage with RTP both ways through the SBC.
    const callerEp = await RtpEndpoint.open(sbc.pbx.ip);
    const calleeEp = await RtpEndpoint.open(sbc.vonage.ip);
    const call = await startMediaCall(sbc, {
      direction: 'pbx-to-vonage', uac: 'media-uac', uas: 'media-uas',
      uacKeys: { rtp_port: callerEp.port, p_talk: 6000 }, uasKeys: { rtp_port: calleeEp.port },
    });
    try {
      const offer = await call.callee.waitFor(on.request('received', 'INVITE'), 5000, 'INVITE at the callee');
      const answer = await call.caller.waitFor(on.response('received', 200, 'INVITE'), 5000, '200 at the caller');
      const up = callerEp.stream({ to: audioAddress(answer.body), seed: 11, ssrc: 0x11111111, count: PACKETS });
      const down = calleeEp.stream({ to: audioAddress(offer.body), seed: 22, ssrc: 0x22222222, count: PACKETS });
      await Promise.all([up.done, down.done]);
      await calleeEp.until(() => calleeEp.fromSeed(11).length >= PACKETS, 3000);

      const live = await api.request('GET', '/calls');
      assert.equal(live.status, 200);
      assert.equal(live.body.count, 1, JSON.stringify(live.body));
      const c = live.body.calls[0];
      assert.equal(c.state, 'established');
      assert.deepEqual([c.callee, c.target], ['14155550100', { kind: 'trunk', name: 'vonage' }]);
      const stream = c.media[0];
      assert.equal(stream.a.rxPackets, PACKETS, JSON.stringify(stream));
      assert.equal(stream.b.rxPackets, PACKETS, JSON.stringify(stream));
      assert.equal(stream.a.peer.ip, sbc.pbx.ip);
      assert.ok(stream.mos.a >= 4 && stream.mos.b >= 4, JSON.stringify(stream.mos));

      const { uac, uas } = await call.finish();
      assertSippPassed(uac, 'caller');
      assertSippPassed(uas, 'callee');
    } finally {
      await call.stop();
      callerEp.close();
      calleeEp.close();
    }

    // The record: written within a few seconds of the end (stats, then the batch).
    let record: any;
    for (let i = 0; i < 40 && !record; i++) {
      await new Promise((r) => setTimeout(r, 250));
      record = (await api.request('GET', '/cdrs?number=14155550100')).body.records?.[0];
    }
    assert.ok(record, 'a call record within 10 s');
    assert.deepEqual(
      [record.result, record.status, record.reason, record.route, record.targetName, record.fromSide, record.sourceIp],
      ['answered', 200, 'caller hung up', 'pbx-to-vonage', 'vonage', 'lan', sbc.pbx.ip],
    );
    assert.ok(record.durationS >= 5 && record.durationS < 15, `duration ${record.durationS}`);
    assert.equal(record.media[0].a.rxPackets, PACKETS);
    assert.equal(record.media[0].b.rxPackets, PACKETS);
    assert.equal(record.media[0].a.lost, 0);
    assert.ok(record.mos >= 4, `mos ${record.mos}`);
    assert.equal((await api.request('GET', `/cdrs/${record.id}`)).body.callId, record.callId);
    assert.equal((await api.request('GET', '/cdrs?result=busy')).body.records.length, 0);
  });

  test('HTTPS only, and only on the LAN address', async () => {
    const plain = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: apiPort }, () => s.write('GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.setEncoding('latin1').on('data', (d: string) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      setTimeout(() => s.destroy(), 3000);
    });
    assert.ok(!plain.startsWith('HTTP/1.1 2') && !plain.includes('edgesbc_session'), `plain HTTP answered: ${plain.slice(0, 80)}`);
    assert.equal(await tcpConnects(sbc.wan.ip, apiPort), false, 'nothing listens on the WAN address');
  });
});
