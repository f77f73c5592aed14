// Garbage at every transport of both sides of the running sbcd (LAN from the
// PBX's address, WAN from the trunk's): every RFC 4475 message cut short,
// random bytes, oversized lines and datagrams, and slow partial TCP/TLS
// writes (slowloris). Whatever arrives, the process stays up, keeps answering
// OPTIONS on every transport, never forwards anything to the other side, and
// lets go of every connection once the client has gone.
//
// The random input comes from a seeded generator: the seed is in every test
// name, and EDGESBC_FUZZ_SEED=<n> replays a run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, startSbcd, type Sbcd } from '../harness/index.js';
import { isAlive, openConnections, waitConnectionsAtMost } from './proc-stats.js';
import { loadManifest, loadMessage, rewriteTopVia } from './torture.js';
import { TrunkStandin } from './trunk-standin.js';
import { optionsRequest, probeOptions, SipClient, type Target, type Transport } from './wire.js';

const SEED = Number(process.env.EDGESBC_FUZZ_SEED ?? Date.now() % 1_000_000);
const TRANSPORTS: Transport[] = ['udp', 'tcp', 'tls'];
// The largest payload one IPv4 UDP datagram can carry (65 535 - 20 - 8): a
// 70 kB datagram cannot exist on IPv4, so over UDP this is the biggest there is.
const MAX_UDP_PAYLOAD = 65_507;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
function randBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = randInt(0, 255);
  return b;
}

let sbc: Sbcd;
let trunk: TrunkStandin;
let pbx: TrunkStandin;
// The side under test; set by each side's describe() before its tests run.
let side: 'lan' | 'wan' = 'lan';
const from = (): string => (side === 'lan' ? ADDR.pbx : ADDR.vonage);
const sideAddr = (): Sbcd['lan'] => (side === 'lan' ? sbc.lan : sbc.wan);
/** The stand-in on the other side: what must never receive garbage. */
const far = (): TrunkStandin => (side === 'lan' ? trunk : pbx);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  sbc = await startSbcd({ tls: true });
  trunk = await TrunkStandin.start(sbc.vonage.ip, sbc.vonage.port);
  pbx = await TrunkStandin.start(sbc.pbx.ip, sbc.pbx.port);
});

after(async () => {
  await trunk?.close();
  await pbx?.close();
  if (!sbc) return; // never started: before() already failed with the reason
  const r = await sbc.stop();
  // A clean exit on SIGTERM is part of surviving the garbage run.
  assert.deepEqual(r, { code: 0, signal: null }, `sbcd exit after the garbage run; stderr: ${sbc.stderr().slice(-2000)}`);
});

function target(t: Transport): Target {
  return { ip: sideAddr().ip, port: sideAddr()[t] };
}
function streamPorts(): number[] {
  return [sideAddr().tcp, sideAddr().tls];
}

/** The SBC is up, answers OPTIONS on every transport, forwarded nothing since `mark` (undefined: not checked). */
async function assertHealthy(what: string, mark: number | undefined): Promise<void> {
  assert.ok(isAlive(sbc.proc), `${what}: sbcd died\n${sbc.stderr().slice(-3000)}`);
  for (const t of TRANSPORTS) {
    assert.equal(await probeOptions(t, from(), target(t)), 200, `${what}: OPTIONS over ${t} afterwards`);
  }
  if (mark === undefined) return;
  const leaked = far().requestsSince(mark).filter((s) => s.msg.method !== 'OPTIONS');
  assert.equal(leaked.length, 0, `${what}: garbage reached the other side: ${leaked.map((s) => s.msg.startLine).join(' | ')}`);
}

async function assertConnectionsReleased(what: string): Promise<void> {
  const n = await waitConnectionsAtMost(sbc.proc.pid!, streamPorts(), 0, 5000);
  assert.equal(n, 0, `${what}: sbcd still holds ${n} TCP/TLS connections 5 s after every client left`);
}

/** Opens a connection, writes `chunks`, then closes it (FIN, or RST when `reset`). */
async function streamShot(t: Transport, chunks: Buffer[], reset: boolean): Promise<void> {
  let c: SipClient;
  try {
    c = await SipClient.open(t, from(), target(t));
  } catch {
    return; // refused under load is acceptable; the health check decides
  }
  try {
    for (const ch of chunks) await c.send(ch);
    if (!reset) await sleep(5);
  } catch {
    // the SBC may close on us mid-write: fine
  } finally {
    c.close();
  }
}

/** Runs `jobs` with at most `width` at a time. */
async function pool(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

function cutPoints(len: number, headEnd: number): number[] {
  const pts = new Set([1, Math.floor(len * 0.25), Math.floor(len / 2), headEnd, headEnd + 2, len - 1, randInt(1, len - 1)]);
  return [...pts].filter((p) => p > 0 && p < len).sort((a, b) => a - b);
}

for (const sideUnderTest of ['lan', 'wan'] as const) describe(`garbage at the ${sideUnderTest.toUpperCase()} side of sbcd (seed ${SEED})`, () => {
  before(() => {
    side = sideUnderTest;
  });
  for (const t of TRANSPORTS) {
    test(`every RFC 4475 message truncated at several points over ${t}`, async () => {
      // Some prefixes can be complete requests, and those may reach the other
      // side; they are sent last, after the no-leak check of all the others:
      //  - inv2543 has no Content-Length (UDP: a shorter body is still a
      //    message); dblreq's second request ends before the file does;
      //  - over UDP, a datagram cut at the end of a header line holds whole
      //    header lines and no blank line: a lenient parser may take the
      //    datagram's end for the end of the headers (RFC 3261 7 wants the
      //    empty line; whether to be that strict is the SBC's call).
      // On a stream no prefix without its blank line can ever be complete.
      const mayForward = new Set(['inv2543', 'dblreq']);
      const strict: Array<{ name: string; msg: Buffer; cuts: number[] }> = [];
      const lenient: Array<{ name: string; msg: Buffer; cuts: number[] }> = [];
      const udp = t === 'udp' ? await SipClient.open('udp', from(), target('udp')) : undefined;
      for (const e of loadManifest()) {
        let msg = loadMessage(e.name);
        if (udp && e.kind === 'request') msg = rewriteTopVia(msg, 'UDP', `${from()}:${udp.localPort}`);
        const headEnd = msg.indexOf('\r\n\r\n');
        const cuts = cutPoints(msg.length, headEnd < 0 ? msg.length - 1 : headEnd);
        const maybeWhole = (p: number): boolean =>
          mayForward.has(e.name) || (udp !== undefined && headEnd > 0 && p <= headEnd + 2 && (p === headEnd || msg[p - 1] === 0x0a));
        strict.push({ name: e.name, msg, cuts: cuts.filter((p) => !maybeWhole(p)) });
        lenient.push({ name: e.name, msg, cuts: cuts.filter(maybeWhole) });
      }
      const send = async (batch: typeof strict): Promise<void> => {
        for (const { name, msg, cuts } of batch) {
          if (udp) {
            for (const p of cuts) await udp.send(msg.subarray(0, p));
          } else {
            await pool(cuts.map((p, i) => () => streamShot(t, [msg.subarray(0, p)], i % 2 === 1)), 4);
          }
          assert.ok(isAlive(sbc.proc), `${name} truncated over ${t}: sbcd died\n${sbc.stderr().slice(-3000)}`);
        }
      };
      const mark = far().seen.length;
      try {
        await send(strict);
        await assertHealthy(`truncated/${t}`, mark);
        await send(lenient);
        await assertHealthy(`truncated/${t}`, undefined);
        // A cut-short request is refused or (when a prefix happens to be a
        // whole message) handled; never a server error.
        for (const m of udp?.received ?? []) {
          const st = m.status ?? 0;
          assert.ok(st > 0 && (st < 500 || [501, 505, 513].includes(st)), `truncated/${t}: answered ${m.startLine}`);
        }
      } finally {
        udp?.close();
      }
      await assertConnectionsReleased(`truncated/${t}`);
    });

    test(`random bytes over ${t} (seed ${SEED})`, async () => {
      const mark = far().seen.length;
      const prefixes = ['', 'INVITE sip:a@b SIP/2.0\r\n', 'SIP/2.0 200 OK\r\n', 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP ', '\r\n\r\n'];
      const shots: Buffer[] = [];
      for (let i = 0; i < (t === 'udp' ? 300 : 40); i++) {
        const p = Buffer.from(prefixes[randInt(0, prefixes.length - 1)]!, 'latin1');
        shots.push(Buffer.concat([p, randBytes(randInt(1, t === 'udp' ? 1400 : 4000))]));
      }
      if (t === 'udp') {
        const c = await SipClient.open('udp', from(), target('udp'));
        try {
          for (const s of shots) await c.send(s);
        } finally {
          c.close();
        }
      } else {
        // Each connection gets a few random chunks, as separate writes.
        await pool(shots.map((s, i) => () => streamShot(t, [s.subarray(0, s.length >> 1), s.subarray(s.length >> 1)], i % 3 === 0)), 4);
      }
      await assertHealthy(`random/${t}`, mark);
      await assertConnectionsReleased(`random/${t}`);
    });
  }

  test('the largest possible UDP datagrams (65 507 bytes): one huge header line, pure filler, a huge body', async () => {
    const mark = far().seen.length;
    const c = await SipClient.open('udp', from(), target('udp'));
    try {
      const { text } = optionsRequest(c, target('udp'));
      const head = text.slice(0, text.indexOf('Content-Length'));
      const hugeLine = Buffer.from(head + 'X-Huge: ' + 'a'.repeat(MAX_UDP_PAYLOAD - head.length - 8 - 24) + '\r\nContent-Length: 0\r\n\r\n', 'latin1');
      const filler = Buffer.alloc(MAX_UDP_PAYLOAD, 'A');
      const bodyLen = MAX_UDP_PAYLOAD - head.length - 40;
      const bigBody = Buffer.concat([Buffer.from(`${head}Content-Type: text/plain\r\nContent-Length: ${bodyLen}\r\n\r\n`, 'latin1')]);
      const big = Buffer.concat([bigBody, Buffer.alloc(Math.max(0, MAX_UDP_PAYLOAD - bigBody.length), 'b')]);
      for (const d of [hugeLine, filler, big]) {
        assert.ok(d.length <= MAX_UDP_PAYLOAD);
        await c.send(d);
      }
      await assertHealthy('huge datagrams', mark);
      for (const m of c.received) {
        assert.ok([200, 400, 413, 513].includes(m.status ?? 0), `huge datagram answered ${m.startLine}`);
      }
    } finally {
      c.close();
    }
  });

  for (const t of ['tcp', 'tls'] as const) {
    test(`70 kB messages and a 1 MB line without end over ${t}`, async () => {
      const mark = far().seen.length;
      // A 70 kB header line in an otherwise valid OPTIONS: answered (200, 400,
      // 513 Message Too Large) or the connection closed; never a crash.
      const c = await SipClient.open(t, from(), target(t));
      try {
        const { text } = optionsRequest(c, target(t));
        const head = text.slice(0, text.indexOf('Content-Length'));
        await c.send(head + 'X-Huge: ' + 'h'.repeat(70_000) + '\r\nContent-Length: 0\r\n\r\n').catch(() => undefined);
        await c.waitFor((m) => (m.status ?? 0) >= 200, 2000);
        for (const m of c.received) assert.ok([200, 400, 413, 513].includes(m.status ?? 0), `70 kB header answered ${m.startLine}`);
      } finally {
        c.close();
      }
      // A valid 70 kB body.
      const d = await SipClient.open(t, from(), target(t));
      try {
        const { text } = optionsRequest(d, target(t));
        const head = text.slice(0, text.indexOf('Content-Length'));
        await d.send(head + 'Content-Type: text/plain\r\nContent-Length: 70000\r\n\r\n' + 'b'.repeat(70_000)).catch(() => undefined);
        await d.waitFor((m) => (m.status ?? 0) >= 200, 2000);
        for (const m of d.received) assert.ok([200, 400, 413, 513].includes(m.status ?? 0), `70 kB body answered ${m.startLine}`);
      } finally {
        d.close();
      }
      // 1 MB of one header line that never ends: the SBC must not buffer it
      // without bound; closing the connection is the expected way out.
      const e = await SipClient.open(t, from(), target(t));
      try {
        await e.send('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Endless: ').catch(() => undefined);
        for (let i = 0; i < 16 && !e.closed; i++) await e.send(Buffer.alloc(64 * 1024, 'z')).catch(() => undefined);
        await e.waitClosed(1000);
      } finally {
        e.close();
      }
      await assertHealthy(`huge/${t}`, mark);
      await assertConnectionsReleased(`huge/${t}`);
    });

    test(`slowloris over ${t}: partial requests dribbled on many connections do not starve others`, async () => {
      const mark = far().seen.length;
      const N = t === 'tcp' ? 40 : 15;
      const conns: SipClient[] = [];
      try {
        for (let i = 0; i < N; i++) conns.push(await SipClient.open(t, from(), target(t)));
        const partial = Buffer.from('INVITE sip:slow@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.10:9;branch=z9hG4bKslow\r\nX-Slow: ', 'latin1');
        // Bounded: 10 rounds, 4 bytes per connection per round, 150 ms apart.
        for (let round = 0; round < 10; round++) {
          const slice = partial.subarray(round * 4, round * 4 + 4);
          await Promise.all(conns.map((c) => (c.closed || slice.length === 0 ? undefined : c.send(slice).catch(() => undefined))));
          if (round === 5) {
            // Mid-attack: the SBC holds the connections and still serves everyone else.
            const held = openConnections(sbc.proc.pid!, streamPorts());
            assert.ok(held >= 1, `slowloris/${t}: the connection counter sees none of ${N} open connections`);
            for (const tt of TRANSPORTS) {
              assert.equal(await probeOptions(tt, from(), target(tt)), 200, `slowloris/${t}: OPTIONS over ${tt} during the attack (${held} held)`);
            }
          }
          await sleep(150);
        }
        for (const c of conns) assert.equal(c.received.length, 0, `slowloris/${t}: a partial request was answered: ${c.received[0]?.startLine}`);
      } finally {
        for (const c of conns) c.close();
      }
      await assertHealthy(`slowloris/${t}`, mark);
      await assertConnectionsReleased(`slowloris/${t}`);
    });

    test(`a valid OPTIONS delivered in 1-3 byte pieces over ${t} is reassembled and answered`, async () => {
      const c = await SipClient.open(t, from(), target(t));
      try {
        const { callId, text } = optionsRequest(c, target(t));
        const b = Buffer.from(text, 'latin1');
        for (let at = 0; at < b.length; ) {
          const n = randInt(1, 3);
          await c.send(b.subarray(at, at + n));
          at += n;
          if (at % 24 < 3) await sleep(2); // let some pieces leave as their own segments
        }
        const r = await c.waitFor((m) => (m.status ?? 0) >= 200, 4000);
        assert.equal(r?.status, 200, `fragmented OPTIONS (${callId}) got ${r?.startLine ?? 'no answer'}`);
      } finally {
        c.close();
      }
      await assertConnectionsReleased(`fragmented/${t}`);
    });
  }

  test('plain bytes at the TLS port (no handshake) and a TLS handshake at the TCP port', async () => {
    const mark = far().seen.length;
    // SIP in clear text to the TLS listener: the handshake fails, nothing else.
    const { connect } = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = connect({ host: sideAddr().ip, port: sideAddr().tls, localAddress: from() }, () => {
        s.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n');
        s.write(randBytes(2000));
      });
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      const done = (): void => {
        s.destroy();
        resolve();
      };
      s.on('close', done);
      setTimeout(done, 1500);
    });
    // A TLS ClientHello to the plain TCP listener: garbage to the SIP parser.
    const { connect: tlsConnect } = await import('node:tls');
    await new Promise<void>((resolve) => {
      const where = { host: sideAddr().ip, port: sideAddr().tcp, localAddress: from() };
      const s = tlsConnect({ ...where, rejectUnauthorized: false });
      s.on('error', () => undefined);
      const done = (): void => {
        s.destroy();
        resolve();
      };
      s.on('close', done);
      setTimeout(done, 1500);
    });
    await assertHealthy('cross-protocol', mark);
    await assertConnectionsReleased('cross-protocol');
  });
});
