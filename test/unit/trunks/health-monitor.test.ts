// The OPTIONS health checks of trunk endpoints (V-OUT-8) against a fake SIP
// engine and mocked timers: which endpoints get OPTIONS and when, what the
// request looks like, down/up with the log lines, one probe in flight per
// endpoint, the round trip (Karn's rule over UDP), state across commits, and
// the trunkHealth() rows.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import type { ConfigDocument, TrunkConfig } from '../../../src/config/document.js';
import type { Logger } from '../../../src/log.js';
import type { FinalResult, RequestSpec, SipResponse } from '../../../src/sip/index.js';
import { TrunkHealthMonitor } from '../../../src/trunks/health-monitor.js';

interface Sent {
  spec: RequestSpec;
  answer(status: number, o?: { local?: boolean; info?: string; reason?: string }): void;
}

class FakeEngine {
  sent: Sent[] = [];
  request(spec: RequestSpec): { final: Promise<FinalResult> } {
    let resolve!: (r: FinalResult) => void;
    const final = new Promise<FinalResult>((r) => (resolve = r));
    this.sent.push({
      spec,
      answer: (status, o = {}) =>
        resolve({ response: { status, reason: o.reason ?? 'Whatever', local: o.local ?? false, info: o.info ?? '' } as unknown as SipResponse }),
    });
    return { final };
  }
  to(host: string): Sent[] {
    return this.sent.filter((s) => s.spec.nextHop?.startsWith(host));
  }
}

interface Line {
  level: 'info' | 'warn';
  fields: Record<string, unknown>;
  msg: string;
}

function fakeLog(lines: Line[]): Logger {
  const at = (level: Line['level']) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  return { info: at('info'), warn: at('warn'), debug: () => undefined, error: () => undefined } as unknown as Logger;
}

function trunk(name: string, over: Partial<TrunkConfig>): TrunkConfig {
  return { ...defaultConfig().trunks[0]!, name, side: 'wan', transport: 'udp', options_ping_s: 5, ...over };
}

function docWith(trunks: TrunkConfig[]): ConfigDocument {
  const doc = defaultConfig();
  doc.trunks = trunks;
  doc.sip.timers.t1_ms = 500;
  return doc;
}

const EP1 = { host: '198.51.100.10', port: 5060 };
const EP2 = { host: '198.51.100.11', port: 5060 };
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

let engine: FakeEngine;
let lines: Line[];
let clock: number;
let wall: number;
let monitor: TrunkHealthMonitor;

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  engine = new FakeEngine();
  lines = [];
  clock = 0;
  wall = 1_700_000_000_000;
  monitor = new TrunkHealthMonitor({
    engine,
    log: fakeLog(lines),
    thresholds: { downAfter: 3, upAfter: 2 },
    now: () => wall,
    monotonic: () => clock,
    firstDelayMs: () => 0,
  });
});

afterEach(() => {
  monitor.close();
  mock.timers.reset();
});

test('V-OUT-8: each endpoint of an enabled trunk with options_ping_s > 0 gets OPTIONS at that interval', async () => {
  monitor.apply(
    docWith([
      trunk('vonage', { endpoints: [EP1, EP2], options_ping_s: 5, from_domain: '' }),
      trunk('quiet', { endpoints: [{ host: '203.0.113.5', port: 5060 }], options_ping_s: 0 }),
      trunk('off', { endpoints: [{ host: '203.0.113.6', port: 5060 }], enabled: false }),
      trunk('tls', { endpoints: [{ host: 'sip-us-3-1.vonage.test', port: 5061 }], transport: 'tls', from_domain: 'example.com' }),
    ]),
  );
  mock.timers.tick(0);
  assert.deepEqual(engine.sent.map((s) => s.spec.nextHop).sort(), ['198.51.100.10:5060', '198.51.100.11:5060', 'sip-us-3-1.vonage.test:5061']);
  const udp = engine.to('198.51.100.10')[0]!.spec;
  assert.equal(udp.method, 'OPTIONS');
  assert.equal(udp.uri, 'sip:198.51.100.10:5060');
  assert.equal(udp.side, 'wan');
  assert.equal(udp.transport, 'udp');
  assert.equal(udp.from.uri, 'sip:edgesbc@198.51.100.10', 'From host follows the endpoint');
  assert.equal(udp.to.uri, 'sip:198.51.100.10:5060');
  const tls = engine.to('sip-us-3-1')[0]!.spec;
  assert.equal(tls.uri, 'sip:sip-us-3-1.vonage.test:5061;transport=tls');
  assert.equal(tls.transport, 'tls');
  assert.equal(tls.from.uri, 'sip:edgesbc@example.com', 'or the trunk from_domain');
  for (const s of engine.sent) s.answer(200);
  await flush();
  mock.timers.tick(4999);
  assert.equal(engine.sent.length, 3, 'nothing before the interval');
  mock.timers.tick(1);
  assert.equal(engine.sent.length, 6);
});

test('V-OUT-8: down after 3 failed probes (timeout, 503, transport error), logged with trunk, host and reason', async () => {
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1, EP2] })]));
  const answers: Array<[number, { local?: boolean; info?: string; reason?: string }]> = [
    [200, {}],
    [408, { local: true, info: 'timeout' }],
    [503, { reason: 'Service Unavailable' }],
    [503, { local: true, info: 'connect 198.51.100.10:5060: Connection refused' }],
  ];
  for (const [status, o] of answers) {
    mock.timers.tick(engine.sent.length === 0 ? 0 : 5000);
    engine.to(EP1.host).at(-1)!.answer(status, o);
    engine.to(EP2.host).at(-1)!.answer(200);
    await flush();
  }
  const down = lines.filter((l) => l.msg === 'trunk endpoint down');
  assert.equal(down.length, 1);
  assert.equal(down[0]!.level, 'warn');
  assert.deepEqual(down[0]!.fields, {
    trunk: 'vonage',
    host: '198.51.100.10',
    port: 5060,
    from: 'up',
    reason: 'transport error: connect 198.51.100.10:5060: Connection refused',
  });
  assert.deepEqual(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'down');
  assert.deepEqual(monitor.healthOf('vonage', EP2.host, 5060)?.state, 'up');
  const rows = monitor.trunkHealth();
  assert.deepEqual(rows.map((r) => [r.trunk, r.endpoint, r.state]), [
    ['vonage', '198.51.100.10:5060', 'down'],
    ['vonage', '198.51.100.11:5060', 'up'],
  ]);
  assert.equal(rows[0]!.lastError, 'transport error: connect 198.51.100.10:5060: Connection refused');
  assert.equal(rows[0]!.lastChange, wall);
  assert.equal(rows[1]!.lastError, '');
});

test('V-OUT-8: an endpoint that stops answering costs one OPTIONS in flight, counts a failure per interval, and comes back up after 2 answers', async () => {
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1] })]));
  mock.timers.tick(0);
  engine.sent[0]!.answer(200);
  await flush();
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'up');
  mock.timers.tick(5000); // probe 2: never answered
  assert.equal(engine.sent.length, 2);
  mock.timers.tick(5000);
  mock.timers.tick(5000);
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'up', 'two silent intervals');
  wall += 1;
  mock.timers.tick(5000);
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'down', 'the third silent interval');
  assert.equal(engine.sent.length, 2, 'no second OPTIONS while one is in flight');
  assert.equal(monitor.trunkHealth()[0]!.lastError, 'no answer within 5 s');
  // The engine's own timeout of that request changes nothing more.
  engine.sent[1]!.answer(408, { local: true, info: 'timeout' });
  await flush();
  assert.equal(lines.filter((l) => l.msg === 'trunk endpoint down').length, 1);
  mock.timers.tick(5000);
  assert.equal(engine.sent.length, 3);
  engine.sent[2]!.answer(200);
  await flush();
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'down', 'one answer is not enough');
  mock.timers.tick(5000);
  engine.sent[3]!.answer(200);
  await flush();
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'up');
  const up = lines.filter((l) => l.msg === 'trunk endpoint up');
  assert.equal(up.length, 2, 'unknown -> up, then down -> up');
  assert.deepEqual(up[1]!.fields.from, 'down');
  assert.equal(up[1]!.level, 'info');
});

test('V-OUT-3/V-OUT-8: the round trip is smoothed; over UDP an answer later than T1 gives no sample, over TLS it does', async () => {
  monitor.apply(
    docWith([
      trunk('udp', { endpoints: [EP1] }),
      trunk('tls', { endpoints: [{ host: EP2.host, port: 5061 }], transport: 'tls' }),
    ]),
  );
  const probe = async (ms: number): Promise<void> => {
    mock.timers.tick(engine.sent.length === 0 ? 0 : 5000);
    clock += ms;
    for (const s of engine.sent.slice(-2)) s.answer(200);
    await flush();
  };
  await probe(40);
  assert.equal(monitor.healthOf('udp', EP1.host, 5060)?.rttMs, 40);
  await probe(80);
  assert.equal(monitor.healthOf('udp', EP1.host, 5060)?.rttMs, 50);
  assert.equal(monitor.healthOf('tls', EP2.host, 5061)?.rttMs, 50);
  await probe(900); // > T1 (500 ms): over UDP, maybe the answer to a retransmission
  assert.equal(monitor.healthOf('udp', EP1.host, 5060)?.rttMs, 50);
  assert.equal(monitor.healthOf('tls', EP2.host, 5061)?.rttMs, 50 + (900 - 50) / 4);
  assert.equal(monitor.trunkHealth()[0]!.rttMs, 50);
});

test('V-OUT-8: state survives a commit that keeps the endpoint; a changed transport or a removed endpoint starts over', async () => {
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1, EP2] })]));
  mock.timers.tick(0);
  clock += 30;
  for (const s of engine.sent) s.answer(200);
  await flush();
  // Same endpoints, new interval: state and round trip stay; the new interval applies.
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1, EP2], options_ping_s: 2 })]));
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.rttMs, 30);
  assert.equal(engine.sent.length, 2, 'no extra probe at the commit');
  mock.timers.tick(2000);
  assert.equal(engine.sent.length, 4);
  for (const s of engine.sent.slice(2)) s.answer(200);
  await flush();
  // EP2 removed, EP1 over TCP now: EP1 starts unknown, EP2 is not probed any more.
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1], transport: 'tcp', options_ping_s: 2 })]));
  assert.equal(monitor.healthOf('vonage', EP1.host, 5060)?.state, 'unknown');
  assert.equal(monitor.healthOf('vonage', EP2.host, 5060), undefined);
  mock.timers.tick(0);
  mock.timers.tick(2000);
  assert.deepEqual(engine.sent.slice(4).map((s) => [s.spec.nextHop, s.spec.transport]), [['198.51.100.10:5060', 'tcp']]);
  // Checks off: no rows, no probes.
  monitor.apply(docWith([trunk('vonage', { endpoints: [EP1], options_ping_s: 0 })]));
  assert.deepEqual(monitor.trunkHealth(), []);
  const n = engine.sent.length;
  mock.timers.tick(60_000);
  assert.equal(engine.sent.length, n);
});

test('an engine that refuses the request (closed) counts as a failure and never throws', () => {
  const closed = {
    request(): never {
      throw new Error('SIP engine is closed');
    },
  };
  const m = new TrunkHealthMonitor({ engine: closed, log: fakeLog(lines), thresholds: { downAfter: 1, upAfter: 1 }, firstDelayMs: () => 0 });
  m.apply(docWith([trunk('vonage', { endpoints: [EP1] })]));
  mock.timers.tick(0);
  assert.equal(m.trunkHealth()[0]!.state, 'down');
  assert.equal(m.trunkHealth()[0]!.lastError, 'not sent: SIP engine is closed');
  m.close();
  assert.deepEqual(m.trunkHealth(), []);
});

test('trunk health lists a registering trunk\'s REGISTER as a row of its own, after the OPTIONS rows', async () => {
  monitor.apply(
    docWith([
      trunk('vonage', { endpoints: [EP1], options_ping_s: 5, api_key: 'a1b2c3d4', api_secret: 'Xq7TestSecret9Zk', register: { enabled: true, interval_s: 600 } }),
    ]),
  );
  mock.timers.tick(0);
  const register = engine.sent.find((s) => s.spec.method === 'REGISTER')!;
  assert.ok(register, 'a REGISTER went out');
  assert.deepEqual(monitor.trunkHealth().map((r) => [r.endpoint, r.state]), [
    ['198.51.100.10:5060', 'unknown'],
    ['REGISTER sip:a1b2c3d4@198.51.100.10', 'registering'],
  ]);
  register.answer(503, { reason: 'Service Unavailable' });
  await flush();
  const row = monitor.trunkHealth()[1]!;
  assert.equal(row.state, 'failed');
  assert.equal(row.lastError, '503 Service Unavailable');
  assert.equal(row.lastChange, wall);
  assert.ok(!JSON.stringify(monitor.trunkHealth()).includes('Xq7TestSecret9Zk'));
});
