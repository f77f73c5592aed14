// REGISTER toward a trunk (./src/trunks/registration.ts) against a fake SIP
// engine and mocked timers: the request (R-URI, AOR, Contact user, Expires),
// the digest answer (checked by recomputing the RFC 2617 response here),
// nonce reuse on the refresh, the granted expiry and when the refresh goes,
// 423, failures with backoff moving to the next hop, the rows trunk health
// shows, and config changes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument, TrunkConfig } from '../../../src/config/document.js';
import type { Logger } from '../../../src/log.js';
import type { FinalResult, RequestSpec, SipResponse } from '../../../src/sip/index.js';
import { backoffMs, grantedExpiresS, refreshDelayMs, TrunkRegistrations } from '../../../src/trunks/registration.js';

const KEY = 'a1b2c3d4';
const SECRET = 'Xq7TestSecret9Zk';
const EP1 = { host: '198.51.100.10', port: 5060 };
const EP2 = { host: '198.51.100.11', port: 5060 };

function headersOf(pairs: Array<[string, string]>): SipResponse['headers'] {
  const all = (n: string) => pairs.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
  return { get: (n: string) => all(n)[0], getAll: all } as unknown as SipResponse['headers'];
}

interface Sent {
  spec: RequestSpec;
  answer(status: number, headers?: Array<[string, string]>, o?: { local?: boolean; reason?: string }): void;
  header(name: string): string | undefined;
}

class FakeEngine {
  sent: Sent[] = [];
  request(spec: RequestSpec): { final: Promise<FinalResult>; id: number } {
    let resolve!: (r: FinalResult) => void;
    const final = new Promise<FinalResult>((r) => (resolve = r));
    this.sent.push({
      spec,
      answer: (status, headers = [], o = {}) =>
        resolve({ response: { status, reason: o.reason ?? 'Whatever', local: o.local ?? false, info: '', headers: headersOf(headers) } as unknown as SipResponse }),
      header: (name) => (spec.headers as Array<[string, string]> | undefined)?.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    });
    return { final, id: this.sent.length };
  }
  get last(): Sent {
    return this.sent[this.sent.length - 1]!;
  }
}

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function fakeLog(lines: Line[]): Logger {
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  return { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') } as unknown as Logger;
}

function trunk(over: Partial<TrunkConfig> = {}): TrunkConfig {
  return {
    ...defaultConfig().trunks[0]!,
    name: 'vonage',
    side: 'wan',
    transport: 'udp',
    endpoints: [EP1, EP2],
    api_key: KEY,
    api_secret: SECRET,
    register: { enabled: true, interval_s: 3600 },
    ...over,
  };
}

function docWith(trunks: TrunkConfig[]): ConfigDocument {
  const doc = defaultConfig();
  doc.trunks = trunks;
  return doc;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const CHALLENGE: [string, string] = ['WWW-Authenticate', 'Digest realm="vonage.test", nonce="n0nce1", qop="auth"'];

function digestParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

/** Recomputes the RFC 2617 qop=auth response from the header: right only with the secret. */
function assertValidDigest(value: string | undefined, uri: string, nc: string): void {
  assert.ok(value, 'Authorization sent');
  const p = digestParams(value);
  assert.equal(p.username, KEY);
  assert.equal(p.realm, 'vonage.test');
  assert.equal(p.uri, uri);
  assert.equal(p.nc, nc);
  const ha1 = md5(`${KEY}:vonage.test:${SECRET}`);
  const ha2 = md5(`REGISTER:${uri}`);
  assert.equal(p.response, md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
  assert.ok(!value.includes(SECRET), 'the secret is not sent');
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

let engine: FakeEngine;
let lines: Line[];
let regs: TrunkRegistrations;
let wall: number;

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  engine = new FakeEngine();
  lines = [];
  wall = 1_700_000_000_000;
  regs = new TrunkRegistrations({
    engine,
    log: fakeLog(lines),
    timing: { retryMinMs: 2000, retryMaxMs: 60_000 },
    now: () => wall,
    random: () => 0.5,
    hopsOf: (t) => t.endpoints.map((e) => ({ host: e.host, port: e.port, site: '', region: '' })),
  });
});

afterEach(() => {
  regs.close();
  mock.timers.reset();
});

test('refreshDelayMs: half of a short grant, 60 s before the end of a long one', () => {
  assert.equal(refreshDelayMs(4), 2000);
  assert.equal(refreshDelayMs(120), 60_000);
  assert.equal(refreshDelayMs(3600), 3_540_000);
  assert.equal(refreshDelayMs(0), 500, 'never a busy loop');
});

test('backoffMs: doubles per failure between half and all of the ceiling, capped', () => {
  const t = { retryMinMs: 2000, retryMaxMs: 60_000 };
  assert.equal(backoffMs(1, t, () => 0), 1000);
  assert.equal(backoffMs(1, t, () => 0.999999), 2000);
  assert.equal(backoffMs(3, t, () => 0), 4000);
  assert.equal(backoffMs(10, t, () => 0), 30_000);
  assert.equal(backoffMs(500, t, () => 1), 60_000);
});

test('grantedExpiresS: our Contact\'s expires, else Expires, else what was asked', () => {
  const h = (pairs: Array<[string, string]>) => ({ headers: headersOf(pairs) });
  assert.equal(grantedExpiresS(h([['Contact', '<sip:other@192.0.2.9>;expires=99, <sip:a1b2c3d4@198.51.100.1:5060;transport=udp>;expires=4']]), KEY, 3600), 4);
  assert.equal(grantedExpiresS(h([['Contact', '<sip:a1b2c3d4@198.51.100.1>;q=1'], ['Expires', '600']]), KEY, 3600), 600);
  assert.equal(grantedExpiresS(h([]), KEY, 3600), 3600);
});

test('REGISTER: request shape, 401 answered once with the trunk key/secret, registered, refreshed before expiry with the nonce reused (nc=2)', async () => {
  regs.apply(docWith([trunk()]));
  assert.equal(engine.sent.length, 1);
  const first = engine.last;
  assert.equal(first.spec.method, 'REGISTER');
  assert.equal(first.spec.uri, 'sip:198.51.100.10');
  assert.equal(first.spec.nextHop, '198.51.100.10:5060');
  assert.equal(first.spec.from.uri, `sip:${KEY}@198.51.100.10`);
  assert.equal(first.spec.to.uri, `sip:${KEY}@198.51.100.10`);
  assert.equal(first.spec.contactUser, KEY);
  assert.equal(first.header('Expires'), '3600');
  assert.equal(first.header('Authorization'), undefined, 'no credentials before a challenge');
  assert.equal(regs.rows()[0]!.state, 'registering');

  first.answer(401, [CHALLENGE]);
  await flush();
  assert.equal(engine.sent.length, 2);
  assert.equal(engine.last.spec.retryOf, 1, 'the answer continues the first REGISTER (Call-ID, CSeq + 1)');
  assertValidDigest(engine.last.header('Authorization'), 'sip:198.51.100.10', '00000001');
  engine.last.answer(200, [['Contact', `<sip:${KEY}@198.51.100.1:5060;transport=udp>;expires=100`]]);
  await flush();
  const row = regs.rows()[0]!;
  assert.deepEqual(row, { trunk: 'vonage', endpoint: `REGISTER sip:${KEY}@198.51.100.10`, state: 'registered', rttMs: null, lastChange: wall, lastError: '' });
  const logged = lines.find((l) => l.msg === 'trunk registered')!;
  assert.deepEqual([logged.fields.expiresS, logged.fields.registrar], [100, '198.51.100.10:5060']);
  assert.ok(!JSON.stringify(lines).includes(SECRET), 'the secret is never logged');

  // Granted 100 s: the refresh leaves at 50 s, not before.
  mock.timers.tick(49_999);
  await flush();
  assert.equal(engine.sent.length, 2);
  mock.timers.tick(1);
  await flush();
  assert.equal(engine.sent.length, 3);
  assert.equal(engine.last.spec.retryOf, undefined, 'a refresh is a new transaction');
  assertValidDigest(engine.last.header('Authorization'), 'sip:198.51.100.10', '00000002');
  engine.last.answer(200, [['Expires', '100']]);
  await flush();
  assert.ok(lines.some((l) => l.msg === 'trunk registration refreshed'));
  assert.equal(regs.rows()[0]!.state, 'registered');
});

test('a 423 is re-sent once with Min-Expires', async () => {
  regs.apply(docWith([trunk({ register: { enabled: true, interval_s: 60 } })]));
  engine.last.answer(423, [['Min-Expires', '300']]);
  await flush();
  assert.equal(engine.sent.length, 2);
  assert.equal(engine.last.header('Expires'), '300');
  engine.last.answer(200);
  await flush();
  assert.equal(lines.find((l) => l.msg === 'trunk registered')!.fields.expiresS, 300);
});

test('failures: failed with the reason, retried with growing backoff on the next hop, registered again', async () => {
  regs.apply(docWith([trunk()]));
  engine.last.answer(408, [], { local: true });
  await flush();
  let row = regs.rows()[0]!;
  assert.equal(row.state, 'failed');
  assert.equal(row.lastError, 'timeout');
  assert.equal(lines.filter((l) => l.msg === 'trunk registration failed')[0]!.fields.retryInS, 1.5);
  mock.timers.tick(1499);
  await flush();
  assert.equal(engine.sent.length, 1, 'no retry before the backoff');
  mock.timers.tick(1);
  await flush();
  assert.equal(engine.sent.length, 2);
  assert.equal(engine.last.spec.nextHop, '198.51.100.11:5060', 'the next hop');
  engine.last.answer(503, [], { reason: 'Service Unavailable' });
  await flush();
  row = regs.rows()[0]!;
  assert.equal(row.lastError, '503 Service Unavailable');
  assert.equal(lines.filter((l) => l.msg === 'trunk registration failed')[1]!.fields.retryInS, 3);
  mock.timers.tick(3000);
  await flush();
  assert.equal(engine.sent.length, 3);
  assert.equal(engine.last.spec.nextHop, '198.51.100.10:5060', 'back to the first');
  engine.last.answer(200);
  await flush();
  row = regs.rows()[0]!;
  assert.equal(row.state, 'registered');
  assert.equal(row.lastError, '');
});

test('wrong credentials: challenged again after our answer → failed (no loop), retried later', async () => {
  regs.apply(docWith([trunk()]));
  engine.last.answer(401, [CHALLENGE]);
  await flush();
  engine.last.answer(401, [CHALLENGE]);
  await flush();
  assert.equal(engine.sent.length, 2, 'one answer per realm');
  const row = regs.rows()[0]!;
  assert.equal(row.state, 'failed');
  assert.match(row.lastError, /wrong api_key or api_secret/);
  assert.ok(!row.lastError.includes(SECRET));
});

test('config: only enabled trunks with register.enabled; unchanged trunks keep their registration; removed ones stop', async () => {
  regs.apply(docWith([trunk(), trunk({ name: 'plain', register: { enabled: false, interval_s: 3600 } })]));
  assert.equal(engine.sent.length, 1);
  engine.last.answer(200);
  await flush();
  regs.apply(docWith([trunk(), trunk({ name: 'plain', register: { enabled: false, interval_s: 3600 } })]));
  assert.equal(engine.sent.length, 1, 'unchanged: no new REGISTER');
  assert.equal(regs.rows().length, 1);
  regs.apply(docWith([trunk({ register: { enabled: true, interval_s: 600 } })]));
  assert.equal(engine.sent.length, 2, 'changed: registers anew');
  assert.equal(engine.last.header('Expires'), '600');
  regs.apply(docWith([trunk({ register: { enabled: false, interval_s: 600 } })]));
  assert.deepEqual(regs.rows(), []);
  mock.timers.tick(10_000_000);
  await flush();
  assert.equal(engine.sent.length, 2, 'a stopped registration sends nothing');
});
