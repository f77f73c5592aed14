import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MediaDescription, allowedCodecs, describeSdp } from '../../../src/media/sdp/index.js';
import { sample } from './sdp-samples.js';

function audioOf(name: string): MediaDescription {
  return describeSdp(sample(name)).media[0] as MediaDescription;
}
const pts = (codecs: { pt: number }[]): number[] => codecs.map((c) => c.pt);

test('allowedCodecs: undefined keeps all, [] keeps none, order is the offer order not the list order', () => {
  const m = audioOf('asterisk-offer');
  assert.deepEqual(pts(allowedCodecs(m, undefined)), [0, 8, 9, 101]);
  assert.deepEqual(allowedCodecs(m, []), []);
  assert.deepEqual(pts(allowedCodecs(m, ['telephone-event', 'G722', 'PCMU'])), [0, 9, 101]);
});

test('allowedCodecs: names without case; name/rate only that clock rate; name/rate/channels', () => {
  const m = audioOf('linphone-offer'); // speex/16000, speex/8000, three telephone-event rates, opus/48000/2
  assert.deepEqual(pts(allowedCodecs(m, ['SPEEX'])), [97, 98]);
  assert.deepEqual(pts(allowedCodecs(m, ['speex/8000'])), [98]);
  assert.deepEqual(pts(allowedCodecs(m, ['Telephone-Event/8000', 'telephone-event/16000'])), [99, 100]);
  assert.deepEqual(pts(allowedCodecs(m, ['opus/48000/2'])), [96]);
  assert.deepEqual(pts(allowedCodecs(m, ['opus/48000/1'])), []);
  assert.deepEqual(pts(allowedCodecs(m, ['pcmu/16000'])), []);
});

test('allowedCodecs: static payload types without rtpmap match by their RFC 3551 names', () => {
  const m = audioOf('freepbx-static-offer'); // 8 0 18 13 101, only 101 has an rtpmap
  assert.deepEqual(pts(allowedCodecs(m, ['g729', 'CN'])), [18, 13]);
  assert.deepEqual(pts(allowedCodecs(m, ['PCMA/8000'])), [8]);
});

test('allowedCodecs: unreadable entries and unnamed payload types match nothing', () => {
  const m = describeSdp('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 96 0\r\n')
    .media[0] as MediaDescription;
  assert.deepEqual(pts(allowedCodecs(m, ['', '/8000', 'PCMU/x', 'PCMU/8000/1/2'])), []);
  assert.deepEqual(pts(allowedCodecs(m, [' pcmu '])), [0]);
});
