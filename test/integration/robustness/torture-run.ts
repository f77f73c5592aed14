// Sends one RFC 4475 torture message at a side of the running sbcd and checks
// what comes back, what reaches the far side, and that the SBC still serves.
// Used for the LAN side (rfc4475.test.ts, from the PBX stand-in's address)
// and the WAN side (rfc4475-wan.test.ts, from the trunk's address).
import assert from 'node:assert/strict';
import type { Sbcd } from '../harness/index.js';
import { isAlive, openConnections } from './proc-stats.js';
import { ackFor, loadMessage, requestUri, rewriteTopVia, specFor, type Spec } from './torture.js';
import { STANDIN_INVITE_STATUS, type TrunkStandin } from './trunk-standin.js';
import { cseqOf, hdr, probeOptions, SipClient, type Parsed, type Target, type Transport } from './wire.js';

export interface TortureContext {
  sbc: Sbcd;
  /** Address the messages are sent from (the configured peer of that side). */
  from: string;
  /** The SBC listener of the side under test. */
  target(t: Transport): Target;
  /** TCP and TLS ports of that side, for the open-connection count. */
  streamPorts(): number[];
  /** The stand-in on the other side, answering whatever the SBC relays. */
  far: TrunkStandin;
}

export function describeReceived(c: SipClient): string {
  return c.received.map((m) => `${m.startLine} [CSeq ${hdr(m, 'cseq') ?? '-'}]`).join(' | ') || 'nothing';
}

const RELAYED_BY_METHOD: Record<string, number> = { INVITE: STANDIN_INVITE_STATUS, MESSAGE: 200 };

export async function runTorture(ctx: TortureContext, transport: Transport, name: string, kind: 'request' | 'response'): Promise<void> {
  const { sbc, far, from } = ctx;
  const stream = transport !== 'udp';
  const spec: Spec = specFor(name, stream);
  const target = ctx.target(transport);
  const c = await SipClient.open(transport, from, target);
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
    kind === 'request' ? rewriteTopVia(original, transport.toUpperCase(), `${from}:${c.localPort}`) : original;
  const method = kind === 'request' ? /^(\S+)/.exec(bytes.toString('latin1'))?.[1] ?? '' : '';
  const mark = far.seen.length;
  try {
    await c.send(bytes);
    const isFinal = (m: Parsed): boolean =>
      (m.status ?? 0) >= 200 && (spec.cseqMethod === undefined || cseqOf(m).method === spec.cseqMethod);

    let final: Parsed | undefined;
    let probe: number | undefined;
    if (spec.codes.length > 0 && !spec.mayDrop) {
      final = await c.waitFor(isFinal, 8000);
      probe = await probeOptions(transport, from, target);
    } else {
      // Silence is (or may be) the right outcome. The SBC handles one
      // message after the other, so once an OPTIONS sent after this one is
      // answered, anything it was going to say about this one has been said;
      // a grace period covers the trip through the JavaScript side.
      probe = await probeOptions(transport, from, target);
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

    // Only a valid, routed request may reach the other side; a refused,
    // invalid or unmatched message must never leak through.
    if (!spec.anyForwarding) {
      const relayed = final !== undefined && kind === 'request' && RELAYED_BY_METHOD[method] === final.status;
      const leaked = far.requestsSince(mark);
      if (relayed) {
        assert.ok(far.requestsSince(mark, method).length >= 1, `${name}/${transport}: ${final!.status} relayed but the far side saw no ${method}`);
      } else {
        assert.equal(leaked.length, 0, `${name}/${transport}: the far side received ${leaked.map((s) => s.msg.startLine).join(' | ')}`);
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

/** clerr on a stream: the SBC waits for the missing body, answers nothing, keeps serving others. */
export async function clerrOnStream(ctx: TortureContext, transport: 'tcp' | 'tls'): Promise<void> {
  const { sbc, far, from } = ctx;
  const target = ctx.target(transport);
  const c = await SipClient.open(transport, from, target);
  const mark = far.seen.length;
  await c.send(loadMessage('clerr'));
  const early = await c.waitFor(() => true, 2000);
  assert.equal(early, undefined, `clerr/${transport}: answered before the body was complete: ${describeReceived(c)}`);
  assert.equal(await probeOptions(transport, from, target), 200, 'OPTIONS on another connection while clerr waits');
  assert.ok(isAlive(sbc.proc), 'sbcd alive');
  assert.equal(far.requestsSince(mark).length, 0, 'an incomplete INVITE must not reach the other side');
  assert.ok(openConnections(sbc.proc.pid!, ctx.streamPorts()) >= 1 || c.closedByPeer, 'the waiting connection is held (or was closed by sbcd)');
  c.close();
}
