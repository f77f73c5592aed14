// The SDP a leg agreed on, for answering session refreshes on their own leg.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SdpLedger, sameSession } from '../../../src/calls/session-timer-sdp.js';
import type { CallMedia } from '../../../src/media/call-media.js';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const ANSWER = 'v=0\r\no=- 7 1 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n';

// Marks what it rewrote, and counts calls: a refresh must not reach it.
function fakeMedia(): CallMedia & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    offer: (from, sdp) => (calls.push(`offer ${from}`), `${sdp}a=via-sbc-from-${from}\r\n`),
    answer: (from, sdp) => (calls.push(`answer ${from}`), `${sdp}a=via-sbc-from-${from}\r\n`),
    close: () => void calls.push('close'),
    stats: () => Promise.resolve([]),
  };
}

test('an offer counts once answered; each leg remembers what it sent and received', async () => {
  const media = fakeMedia();
  const ledger = new SdpLedger(media);
  const toB = await ledger.offer('a', OFFER);
  assert.equal(ledger.lastSent('b'), '', 'not agreed before the answer');
  assert.equal(ledger.isUnchanged('a', OFFER), false);
  const toA = await ledger.answer('b', ANSWER);
  assert.equal(ledger.lastSent('b'), toB);
  assert.equal(ledger.lastSent('a'), toA);
  assert.equal(ledger.isUnchanged('a', OFFER), true);
  assert.equal(ledger.isUnchanged('b', ANSWER), true);
  assert.deepEqual(media.calls, ['offer a', 'answer b']);
});

test('a refresh offer: the same lines (o= version included) in any line endings is unchanged; a raised version, a hold, a new port are not', async () => {
  const ledger = new SdpLedger(fakeMedia());
  await ledger.offer('a', OFFER);
  await ledger.answer('b', ANSWER);
  assert.equal(ledger.isUnchanged('a', OFFER.replace(/\r\n/g, '\n')), true);
  assert.equal(ledger.isUnchanged('a', OFFER.replace('o=- 1 1', 'o=- 1 2')), false, 'RFC 3264 §8: a new version is a new offer');
  assert.equal(ledger.isUnchanged('a', `${OFFER}a=sendonly\r\n`), false);
  assert.equal(ledger.isUnchanged('a', OFFER.replace('4000', '4002')), false);
  assert.equal(sameSession('v=0\r\n\r\n', 'v=0'), true);
});

test('a re-offer the other leg refused leaves the agreed SDP', async () => {
  const ledger = new SdpLedger(fakeMedia());
  await ledger.offer('a', OFFER);
  const first = await ledger.answer('b', ANSWER);
  await ledger.offer('a', OFFER.replace('4000', '4010')); // 488 from b: never answered
  assert.equal(ledger.lastSent('a'), first);
  assert.equal(ledger.isUnchanged('a', OFFER), true);
});

test('late offer: the 200 offers, the ACK answers', async () => {
  const ledger = new SdpLedger(fakeMedia());
  const toA = await ledger.offer('b', ANSWER);
  const toB = await ledger.answer('a', OFFER);
  assert.equal(ledger.lastSent('a'), toA);
  assert.equal(ledger.lastSent('b'), toB);
});

test('the outgoing hook rewrites what is sent on a leg and that is what is remembered', async () => {
  const ledger = new SdpLedger(fakeMedia(), (to, sdp) => (to === 'b' ? `${sdp}a=for-b\r\n` : sdp));
  const toB = await ledger.offer('a', OFFER);
  assert.match(toB, /a=for-b/);
  await ledger.answer('b', ANSWER);
  assert.equal(ledger.lastSent('b'), toB);
});
