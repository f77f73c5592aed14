// The libsrtp2 test peer checked on its own, before it grades the SBC: two
// instances talk SRTP to each other (both suites), tampered and replayed
// packets are refused and counted exactly once, a wrong key refuses
// everything, and its payload pattern and digest agree with the TypeScript
// side (rtp-packet.ts) in both directions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/index.js';
import { RtpEndpoint } from '../harness/rtp-endpoint.js';
import { matchesPattern, patternPayload, payloadDigest, sequenceGaps } from '../harness/rtp-packet.js';
import { randomSrtpKey, startSrtpPeer, type SrtpSuiteName } from '../harness/media-srtp-peer.js';

const A = '127.0.0.30';
const B = '127.0.0.31';

describe('srtp-peer (libsrtp2) on its own', { timeout: 30_000 }, () => {
  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as SrtpSuiteName[]) {
    test(`${suite}: both directions decrypt; one tampered and one replayed packet refused and counted`, async () => {
      const keyAB = { suite, key: randomSrtpKey() };
      const keyBA = { suite, key: randomSrtpKey() };
      const a = { ip: A, port: await freePort(A) };
      const b = { ip: B, port: await freePort(B) };
      // B is bound before A starts, so all of A's packets reach it.
      const peerB = await startSrtpPeer({ bind: b, remote: a, count: 50, seq: 1000, seed: 22, expectSeed: 11, send: keyBA, recv: keyAB, lingerMs: 800 });
      const peerA = await startSrtpPeer({
        bind: a, remote: b, count: 50, seed: 11, expectSeed: 22, send: keyAB, recv: keyBA, tamperAt: 10, replayAt: 20, lingerMs: 500, ssrc: 4242,
      });
      const [ra, rb] = await Promise.all([peerA.report, peerB.report]);
      assert.equal(ra.sent, 50);
      assert.equal(ra.sentTampered, 1);
      assert.equal(ra.sentReplayed, 1);
      // B got A's 50 packets intact, plus exactly one auth failure and one replay.
      assert.equal(rb.received, 52, JSON.stringify(rb));
      assert.equal(rb.decryptedOk, 50);
      assert.equal(rb.authFailures, 1);
      assert.equal(rb.replayFailures, 1);
      assert.equal(rb.patternOk, 50);
      assert.equal(rb.patternBad, 0);
      assert.equal(rb.gaps, 0);
      assert.deepEqual(rb.ssrcs, [4242]);
      assert.deepEqual(rb.sources, [{ ip: A, port: a.port, packets: 52 }]);
      // A got everything B sent from the moment A was listening (B started
      // first; how much of B's start A misses depends on the machine's load):
      // an unbroken run of B's packets up to its last one, seq 1049.
      assert.ok(ra.decryptedOk >= 1, JSON.stringify(ra));
      assert.equal(ra.lastSeq, 1049, JSON.stringify(ra));
      assert.equal(ra.decryptedOk, (ra.lastSeq ?? 0) - (ra.firstSeq ?? 0) + 1, JSON.stringify(ra));
      assert.equal(ra.authFailures, 0);
      assert.equal(ra.patternBad, 0);
      assert.equal(ra.gaps, 0);
    });
  }

  test('a wrong key: every packet fails authentication, none is accepted', async () => {
    const a = { ip: A, port: await freePort(A) };
    const b = { ip: B, port: await freePort(B) };
    const peerB = await startSrtpPeer({ bind: b, count: 0, durationMs: 1200, recv: { suite: 'AES_CM_128_HMAC_SHA1_80', key: randomSrtpKey() } });
    const peerA = await startSrtpPeer({ bind: a, remote: b, count: 20, send: { suite: 'AES_CM_128_HMAC_SHA1_80', key: randomSrtpKey() }, lingerMs: 0 });
    await peerA.report;
    const rb = await peerB.report;
    assert.equal(rb.received, 20);
    assert.equal(rb.authFailures, 20);
    assert.equal(rb.decryptedOk, 0);
  });

  test('plain RTP: its pattern and digest agree with rtp-packet.ts both ways', async () => {
    const ep = await RtpEndpoint.open(A);
    try {
      const b = { ip: B, port: await freePort(B) };
      const peer = await startSrtpPeer({ bind: b, remote: ep.address, count: 30, seed: 7, expectSeed: 9, lingerMs: 400 });
      const stream = ep.stream({ to: b, seed: 9, ssrc: 99, count: 30 });
      await stream.done;
      const r = await peer.report;
      assert.equal(r.decryptedOk, 30);
      assert.equal(r.patternOk, 30);
      assert.equal(r.digest, payloadDigest(stream.sent.map((p) => patternPayload(9, p.seq))));
      const got = ep.fromSeed(7);
      assert.equal(got.length, 30);
      assert.ok(got.every((p) => p.from.ip === B && p.from.port === b.port));
      assert.ok(got.every((p) => matchesPattern(7, p.rtp!.seq, p.rtp!.payload)));
      assert.deepEqual(sequenceGaps(got.map((p) => p.rtp!.seq)), { gaps: 0, repeats: 0, backwards: 0 });
    } finally {
      ep.close();
    }
  });
});
