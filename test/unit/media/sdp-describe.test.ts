import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MediaDescription, SdpError, describeSdp } from '../../../src/media/sdp/index.js';
import { VONAGE_KEY_32, VONAGE_KEY_80, sample } from './sdp-samples.js';

function only(sdp: string): MediaDescription {
  const { media } = describeSdp(sdp);
  assert.equal(media.length, 1);
  return media[0] as MediaDescription;
}

test('describe: Asterisk offer (PCMU/PCMA/G722/telephone-event, ptime)', () => {
  assert.deepEqual(only(sample('asterisk-offer')), {
    index: 0,
    type: 'audio',
    port: 14356,
    proto: 'RTP/AVP',
    address: '192.0.2.20',
    rtcpPort: 14357,
    rtcpAddress: '192.0.2.20',
    rtcpMux: false,
    direction: 'sendrecv',
    held: false,
    codecs: [
      { pt: 0, name: 'PCMU', rate: 8000 },
      { pt: 8, name: 'PCMA', rate: 8000 },
      { pt: 9, name: 'G722', rate: 8000 },
      { pt: 101, name: 'telephone-event', rate: 8000, fmtp: '0-16' },
    ],
    ptime: 20,
    crypto: [],
    rejected: false,
    relayable: true,
  });
});

test('describe: static payload types without rtpmap get their RFC 3551 names; fmtp still merged', () => {
  const m = only(sample('freepbx-static-offer'));
  assert.deepEqual(m.codecs, [
    { pt: 8, name: 'PCMA', rate: 8000 },
    { pt: 0, name: 'PCMU', rate: 8000 },
    { pt: 18, name: 'G729', rate: 8000, fmtp: 'annexb=no' },
    { pt: 13, name: 'CN', rate: 8000 },
    { pt: 101, name: 'telephone-event', rate: 8000, fmtp: '0-16' },
  ]);
  assert.equal(m.ptime, 30);
});

test('describe: Vonage-like SRTP offer gives both keys in order, a=rtcp port', () => {
  const m = only(sample('vonage-srtp-offer'));
  assert.equal(m.proto, 'RTP/SAVP');
  assert.equal(m.relayable, true);
  assert.equal(m.rtcpPort, 17329);
  assert.equal(m.rtcpAddress, '198.51.100.20');
  assert.deepEqual(m.crypto, [
    { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80 },
    { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', key: VONAGE_KEY_32, lifetime: '2^31' },
  ]);
});

test('describe: SAVP line whose only crypto lines are unusable is not relayable', () => {
  const sdp = sample('vonage-srtp-offer')
    .replace(/a=crypto:1 \S+ /, 'a=crypto:1 AES_256_CM_HMAC_SHA1_80 ')
    .replace(/a=crypto:2 .*\r\n/, 'a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:short\r\n');
  const m = only(sdp);
  assert.deepEqual(m.crypto, []);
  assert.equal(m.relayable, false);
});

test('describe: baresip offer (opus stereo, G7221/32000, rtcp-mux, LF line endings)', () => {
  const m = only(sample('baresip-offer', '\n'));
  assert.equal(m.rtcpMux, true);
  assert.equal(m.rtcpPort, 10087); // no a=rtcp: port+1, whether muxed or not
  assert.deepEqual(
    m.codecs.map((c) => [c.pt, c.name, c.rate, c.channels, c.fmtp]),
    [
      [96, 'opus', 48000, 2, 'stereo=1;sprop-stereo=1'],
      [97, 'G7221', 32000, undefined, 'bitrate=48000'],
      [98, 'speex', 16000, undefined, undefined],
      [9, 'G722', 8000, undefined, undefined],
      [0, 'PCMU', 8000, undefined, undefined],
      [8, 'PCMA', 8000, undefined, undefined],
      [101, 'telephone-event', 8000, undefined, '0-15'],
    ],
  );
});

test('describe: linphone offer with ICE on RTP/AVP and an RTP/AVPF video line', () => {
  const { media } = describeSdp(sample('linphone-offer'));
  assert.equal(media.length, 2);
  const [audio, video] = media as [MediaDescription, MediaDescription];
  assert.equal(audio.relayable, true);
  assert.equal(audio.rtcpPort, 7079);
  assert.deepEqual(
    audio.codecs.map((c) => `${c.pt} ${c.name}/${c.rate}`),
    ['96 opus/48000', '97 speex/16000', '98 speex/8000', '0 PCMU/8000', '8 PCMA/8000', '18 G729/8000',
      '101 telephone-event/48000', '99 telephone-event/16000', '100 telephone-event/8000'],
  );
  assert.equal(audio.codecs[5]?.fmtp, 'annexb=yes');
  assert.deepEqual([video.index, video.type, video.port, video.proto, video.relayable], [1, 'video', 9078, 'RTP/AVPF', true]);
  assert.equal(video.address, '192.0.2.60');
});

test('describe: WebRTC offer (UDP/TLS/RTP/SAVPF, ICE, DTLS) is not relayable', () => {
  const m = only(sample('webrtc-offer'));
  assert.equal(m.proto, 'UDP/TLS/RTP/SAVPF');
  assert.equal(m.relayable, false);
  assert.equal(m.rtcpMux, true);
  assert.equal(m.address, '0.0.0.0');
  assert.equal(m.held, false); // c=0.0.0.0 with ICE is a placeholder, not hold
  assert.deepEqual(m.crypto, []);
  assert.equal(m.codecs.length, 8);
});

test('describe: DTLS-SRTP on plain RTP/SAVPF (fingerprint, no a=crypto) is not relayable', () => {
  const sdp = sample('webrtc-offer').replace('UDP/TLS/RTP/SAVPF', 'RTP/SAVPF');
  assert.equal(only(sdp).relayable, false);
});

test('describe: hold forms', () => {
  const sendonly = only(sample('hold-sendonly'));
  assert.deepEqual([sendonly.direction, sendonly.held, sendonly.address], ['sendonly', true, '192.0.2.20']);
  const inactive = only(sample('hold-inactive-session')); // session-level a=inactive applies to the line
  assert.deepEqual([inactive.direction, inactive.held], ['inactive', true]);
  const old = only(sample('hold-rfc2543'));
  assert.deepEqual([old.direction, old.held, old.address, old.rtcpAddress], ['sendrecv', true, '0.0.0.0', '0.0.0.0']);
  const recvonly = only(sample('asterisk-offer').replace('a=sendrecv', 'a=recvonly'));
  assert.deepEqual([recvonly.direction, recvonly.held], ['recvonly', false]);
});

test('describe: media-level direction wins over session-level', () => {
  const m = only(sample('hold-inactive-session').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=sendrecv'));
  assert.deepEqual([m.direction, m.held], ['sendrecv', false]);
});

test('describe: a=rtcp with its own address', () => {
  const m = only(sample('rtcp-address'));
  assert.deepEqual([m.address, m.port, m.rtcpAddress, m.rtcpPort], ['192.0.2.70', 53000, '192.0.2.71', 53011]);
});

test('describe: audio + rejected video, media-level c= only', () => {
  const { media } = describeSdp(sample('audio-video-rejected'));
  assert.equal(media.length, 2);
  const [audio, video] = media as [MediaDescription, MediaDescription];
  assert.deepEqual([audio.rejected, audio.relayable, audio.address], [false, true, '192.0.2.90']);
  assert.deepEqual([video.index, video.rejected, video.relayable, video.port, video.rtcpPort], [1, true, false, 0, 0]);
  assert.deepEqual(video.codecs, [{ pt: 31, name: 'H261', rate: 90000 }]);
});

test('describe: a rejected line needs no c=', () => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n';
  const m = only(sdp);
  assert.deepEqual([m.rejected, m.address, m.relayable], [true, '', false]);
});

test('describe: IPv6 offer keeps the addresses as written', () => {
  const m = only(sample('ipv6-offer'));
  assert.deepEqual([m.address, m.rtcpAddress, m.rtcpPort, m.rtcpMux], ['2001:db8::10', '2001:db8::11', 20001, true]);
});

test('describe: T.38 image line has no RTP codecs and is not relayable', () => {
  const m = only(sample('t38-reinvite'));
  assert.deepEqual([m.type, m.proto, m.codecs, m.relayable, m.rejected], ['image', 'udptl', [], false, false]);
});

test('describe: port with a port count, multicast c= with TTL, duplicate payload types', () => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 233.252.0.1/127\r\nt=0 0\r\nm=audio 49170/2 RTP/AVP 0 0 8\r\n';
  const m = only(sdp);
  assert.deepEqual([m.port, m.address, m.codecs.map((c) => c.pt)], [49170, '233.252.0.1', [0, 8]]);
});

test('describe: dynamic payload type without rtpmap is unnamed', () => {
  const m = only('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 96\r\n');
  assert.deepEqual(m.codecs, [{ pt: 96, name: '', rate: 0 }]);
});

function rejects(sdp: string, pattern: RegExp): void {
  assert.throws(() => describeSdp(sdp), (err: unknown) => {
    assert.ok(err instanceof SdpError, `expected SdpError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('describe: input that is not usable SDP throws SdpError saying what is wrong', () => {
  const head = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n';
  rejects('', /empty/);
  rejects('hello world', /line 1 is not of the form/);
  rejects('o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n', /does not start with a v= line/);
  rejects('v=1\r\n', /version/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\n`, /no m= line/);
  rejects(`${head}t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n`, /line 5: m= line has no c= line/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio abc RTP/AVP 0\r\n`, /line 6: m= port is not a number/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n`, /port is not a number from 0 to 65535/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP PCMU\r\n`, /payload type is not a number/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP\r\n`, /has no formats/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000\r\n`, /m= is not/);
  rejects(`${head}c=IN IP4\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n`, /line 4: c= is not/);
  rejects(`${head}c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 <x>\r\n`, /c= address is malformed/);
  rejects(`${head}c=IN IP4 192.0.2.1\0\r\n`, /NUL/);
  rejects(`v=0\r\n${'a=x\r\n'.repeat(20000)}`, /longer than/);
  rejects(undefined as unknown as string, /not a string/);
});

test('describe: error messages do not quote the key of a broken crypto line', () => {
  const sdp = sample('vonage-srtp-offer').replace('a=crypto:1', 'crypto:1');
  assert.throws(() => describeSdp(sdp), (err: unknown) => err instanceof SdpError && !err.message.includes('AQgPFh0k'));
});
