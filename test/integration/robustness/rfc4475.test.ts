// RFC 4475 torture messages at the running sbcd, over UDP, TCP and TLS, on
// its LAN side from the PBX stand-in's address. For every message: the answer
// RFC 4475 asks of a UAS (see torture.ts for what EdgeSBC in particular must
// answer), nothing leaking to the trunk unless the request was valid and
// routed, and afterwards the SBC still alive and answering OPTIONS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDR, startSbcd, type Sbcd } from '../harness/index.js';
import { isAlive, openConnections, waitConnectionsAtMost } from './proc-stats.js';
import { ackFor, loadManifest, loadMessage, requestUri, rewriteTopVia, specFor, type Spec } from './torture.js';
import { STANDIN_INVITE_STATUS, TrunkStandin } from './trunk-standin.js';
import { cseqOf, hdr, probeOptions, SipClient, type Parsed, type Target, type Transport } from './wire.js';

const manifest = loadManifest();
let sbc: Sbcd;
let trunk: TrunkStandin;

before(async () => {
  sbc = await startSbcd({ tls: true });
  trunk = await TrunkStandin.start(sbc.vonage.ip, sbc.vonage.port);
});

after(async () => {
  await trunk?.close();
  if (!sbc) return; // never started: before() already failed with the reason
  const r = await sbc.stop();
  // A clean exit on SIGTERM is part of surviving the torture run.
  assert.deepEqual(r, { code: 0, signal: null }, `sbcd exit after the torture run; stderr: ${sbc.stderr().slice(-2000)}`);
});

function lanTarget(t: Transport): Target {
  return { ip: sbc.lan.ip, port: sbc.lan[t] };
}

function describeReceived(c: SipClient): string {
  return c.received.map((m) => `${m.startLine} [CSeq ${hdr(m, 'cseq') ?? '-'}]`).join(' | ') || 'nothing';
}

const RELAYED_BY_METHOD: Record<string, number> = { INVITE: STANDIN_INVITE_STATUS, MESSAGE: 200 };

async function runOne(transport: Transport, name: string, kind: 'request' | 'response'): Promise<void> {
  const stream = transport !== 'udp';
  const spec: Spec = specFor(name, stream);
  const target = lanTarget(transport);
  const c = await SipClient.open(transport, ADDR.pbx, target);
  const original = loadMessage(name);
  // In a copy made in memory, the FIRST Via's sent-by becomes this socket's
  // own address and its transport token the transport really used; every
  // other byte is as in the corpus, and responses are never rewritten. Why:
  //  - over UDP the SBC answers to the top Via's sent-by (RFC 3261 18.2.2),
  //    which in these messages is an RFC example address that is not ours;
  //    some say TCP/TLS, which would send the answer over a connection
  //    nobody listens for;
  //  - the corpus reuses branch + sent-by across unrelated messages (unkscm
  //    and novelsc: z9hG4bKkdjuw39234 at host9.example.com), which RFC 3261
  //    17.2.3 makes one transaction: the second message would rightly be
  //    taken for a retransmission of the first. A per-connection sent-by
  //    keeps every message its own transaction, as from a real client.
  // On TCP/TLS the answer comes back on the connection either way.
  const bytes =
    kind === 'request' ? rewriteTopVia(original, transport.toUpperCase(), `${ADDR.pbx}:${c.localPort}`) : original;
  const method = kind === 'request' ? /^(\S+)/.exec(bytes.toString('latin1'))?.[1] ?? '' : '';
  const mark = trunk.seen.length;
  try {
    await c.send(bytes);
    const isFinal = (m: Parsed): boolean =>
      (m.status ?? 0) >= 200 && (spec.cseqMethod === undefined || cseqOf(m).method === spec.cseqMethod);

    let final: Parsed | undefined;
    let probe: number | undefined;
    if (spec.codes.length > 0 && !spec.mayDrop) {
      final = await c.waitFor(isFinal, 8000);
      probe = await probeOptions(transport, ADDR.pbx, target);
    } else {
      // Silence is (or may be) the right outcome. The SBC handles one
      // message after the other, so once an OPTIONS sent after this one is
      // answered, anything it was going to say about this one has been said;
      // a grace period covers the trip through the JavaScript side.
      probe = await probeOptions(transport, ADDR.pbx, target);
      await new Promise((r) => setTimeout(r, 400));
      final = c.received.find(isFinal);
    }

    assert.ok(isAlive(sbc.proc), `${name}/${transport}: sbcd died\n${sbc.stderr().slice(-3000)}`);
    const got = describeReceived(c);
    if (spec.codes.length === 0) {
      assert.equal(c.received.length, 0, `${name}/${transport}: expected no answer at all, got ${got}`);
    } else if (final === undefined) {
      assert.ok(spec.mayDrop, `${name}/${transport}: expected a final ${spec.codes.join('/')}, got ${got}${c.closedByPeer ? ' (connection closed by sbcd)' : ''}`);
    } else {
      assert.ok(spec.codes.includes(final.status!), `${name}/${transport}: expected ${spec.codes.join('/')}${spec.mayDrop ? ' or silence' : ''}, got ${got}`);
      const why = spec.check?.(final);
      assert.equal(why, undefined, `${name}/${transport}: ${why}`);
    }

    // Only a valid, routed request may reach the trunk; a refused, invalid or
    // unmatched message must never leak to the other side.
    if (!spec.anyForwarding) {
      const relayed = final !== undefined && kind === 'request' && RELAYED_BY_METHOD[method] === final.status;
      const leaked = trunk.requestsSince(mark);
      if (relayed) {
        assert.ok(trunk.requestsSince(mark, method).length >= 1, `${name}/${transport}: ${final!.status} relayed but the trunk saw no ${method}`);
      } else {
        assert.equal(leaked.length, 0, `${name}/${transport}: the trunk received ${leaked.map((s) => s.msg.startLine).join(' | ')}`);
      }
    }

    // End every INVITE server transaction we caused, so nothing retransmits.
    const ruri = requestUri(bytes);
    for (const m of c.received) {
      if ((m.status ?? 0) >= 300 && cseqOf(m).method === 'INVITE' && ruri && !c.closed) {
        const ack = ackFor(m, ruri);
        if (ack) await c.send(ack).catch(() => undefined);
      }
    }

    assert.equal(probe, 200, `${name}/${transport}: OPTIONS after the message got ${probe ?? 'no answer'}`);
  } finally {
    c.close();
  }
}

for (const transport of ['udp', 'tcp', 'tls'] as const) {
  describe(`RFC 4475 torture over ${transport.toUpperCase()}`, () => {
    for (const entry of manifest) {
      if (entry.name === 'clerr' && transport !== 'udp') continue; // its own test below
      test(`${entry.name} (${entry.section}, ${entry.valid ? 'valid' : 'invalid'} ${entry.kind}): ${entry.expected}`, async () => {
        await runOne(transport, entry.name, entry.kind);
      });
    }

    if (transport !== 'udp') {
      // Content-Length 9999 on a stream: the SBC must wait for the rest,
      // answer nothing, keep serving others, and let the connection go.
      test('clerr (3.1.2.2) on a stream: waits for the missing body, never answers, keeps serving', async () => {
        const target = lanTarget(transport);
        const c = await SipClient.open(transport, ADDR.pbx, target);
        const mark = trunk.seen.length;
        await c.send(loadMessage('clerr'));
        const early = await c.waitFor(() => true, 2000);
        assert.equal(early, undefined, `clerr/${transport}: answered before the body was complete: ${describeReceived(c)}`);
        assert.equal(await probeOptions(transport, ADDR.pbx, target), 200, 'OPTIONS on another connection while clerr waits');
        assert.ok(isAlive(sbc.proc), 'sbcd alive');
        assert.equal(trunk.requestsSince(mark).length, 0, 'an incomplete INVITE must not reach the trunk');
        assert.ok(openConnections(sbc.proc.pid!, [sbc.lan.tcp, sbc.lan.tls]) >= 1 || c.closedByPeer, 'the waiting connection is held (or was closed by sbcd)');
        c.close();
      });
    }
  });
}

test('connections opened by the torture run are all released', async () => {
  const ports = [sbc.lan.tcp, sbc.lan.tls];
  const n = await waitConnectionsAtMost(sbc.proc.pid!, ports, 0, 5000);
  assert.equal(n, 0, `sbcd still holds ${n} TCP/TLS connections after every client closed`);
  assert.equal(await probeOptions('udp', ADDR.pbx, lanTarget('udp')), 200);
});
