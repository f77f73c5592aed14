// G.729 toward Vonage without Annex B (V-OUT-6): a=fmtp:18 annexb=no.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { requireFmtp } from '../../../src/media/sdp/required-fmtp.js';

const VONAGE = { G729: 'annexb=no' };
const sdp = (...media: string[]) => ['v=0', 'o=x 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', ...media, ''].join('\r\n');

test('V-OUT-6: static G.729 without fmtp gets a=fmtp:18 annexb=no after its rtpmap', () => {
  const out = requireFmtp(sdp('m=audio 4000 RTP/AVP 18 0 101', 'a=rtpmap:18 G729/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16'), VONAGE);
  assert.equal(out, sdp('m=audio 4000 RTP/AVP 18 0 101', 'a=rtpmap:18 G729/8000', 'a=fmtp:18 annexb=no', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16'));
});

test('V-OUT-6: G.729 with no rtpmap at all, annexb=yes turned to no, other fmtp params kept', () => {
  assert.match(requireFmtp(sdp('m=audio 4000 RTP/AVP 18', 'a=sendrecv'), VONAGE), /m=audio 4000 RTP\/AVP 18\r\na=fmtp:18 annexb=no\r\na=sendrecv/);
  assert.match(requireFmtp(sdp('m=audio 4000 RTP/AVP 18', 'a=fmtp:18 annexb=yes'), VONAGE), /a=fmtp:18 annexb=no\r\n/);
  assert.match(requireFmtp(sdp('m=audio 4000 RTP/AVP 96', 'a=rtpmap:96 g729/8000', 'a=fmtp:96 foo=1'), VONAGE), /a=fmtp:96 foo=1;annexb=no\r\n/);
});

test('nothing to do: the same string back (already annexb=no, no G.729, rejected line, junk)', () => {
  const ok = sdp('m=audio 4000 RTP/AVP 18', 'a=fmtp:18 annexb=no');
  assert.equal(requireFmtp(ok, VONAGE), ok);
  const pcm = sdp('m=audio 4000 RTP/AVP 0 8');
  assert.equal(requireFmtp(pcm, VONAGE), pcm);
  const rejected = sdp('m=audio 0 RTP/AVP 18');
  assert.equal(requireFmtp(rejected, VONAGE), rejected);
  assert.equal(requireFmtp('garbage', VONAGE), 'garbage');
  assert.equal(requireFmtp(pcm, {}), pcm);
});
