import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type LinePlan,
  type SdesCrypto,
  SdpError,
  SdpOrigin,
  describeSdp,
  rewriteSdp,
} from '../../../src/media/sdp/index.js';
import { VONAGE_KEY_32, VONAGE_KEY_80, crlfLines, sample } from './sdp-samples.js';

const OURS = '203.0.113.5';
const KEY80 = VONAGE_KEY_80.toString('base64');
const KEY32 = VONAGE_KEY_32.toString('base64');
const SDES80: SdesCrypto = { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80 };

function line(port: number, extra: Partial<LinePlan> = {}): LinePlan {
  return { port, rtcpPort: port + 1, rtcpMux: false, crypto: null, ...extra };
}

/** Rewrites and checks the o= line's shape; returns the lines without the o= line. */
function rewrite(sdp: string, lines: LinePlan[], address = OURS, origin = new SdpOrigin(address)): string[] {
  const out = crlfLines(rewriteSdp(sdp, { address, lines }, origin));
  const ipVer = address.includes(':') ? 'IP6' : 'IP4';
  assert.equal(out[1], `o=EdgeSBC ${origin.sessionId} ${origin.version} IN ${ipVer} ${address}`);
  return [out[0] as string, ...out.slice(2)];
}

test('rewrite: Asterisk offer toward an SRTP trunk: our address, SAVP + one a=crypto, codecs filtered in offer order', () => {
  const out = rewrite(sample('asterisk-offer'), [line(30000, { crypto: SDES80, codecs: ['PCMA', 'pcmu', 'telephone-event'] })]);
  assert.deepEqual(out, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'm=audio 30000 RTP/SAVP 0 8 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=maxptime:150',
    'a=sendrecv',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
  ]);
});

test('rewrite: Vonage SRTP offer toward a PBX: RTP/AVP, no a=crypto, a=rtcp dropped when RTCP is port+1', () => {
  const out = rewrite(sample('vonage-srtp-offer'), [line(40000)], '192.0.2.1');
  assert.deepEqual(out, [
    'v=0',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0 8 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
  ]);
});

test('rewrite: answer toward Vonage keeps RTP/SAVP with the tag it chose (32-bit suite)', () => {
  const answer = sample('asterisk-offer'); // the PBX's plain answer
  const ours: SdesCrypto = { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', key: VONAGE_KEY_32 };
  const out = rewrite(answer, [line(30002, { crypto: ours, codecs: ['PCMU', 'telephone-event'] })]);
  assert.deepEqual(out.slice(4), [
    'm=audio 30002 RTP/SAVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=maxptime:150',
    'a=sendrecv',
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY32}`,
  ]);
});

test('rewrite: baresip offer with rtcp-mux; codec filter drops rtpmap/fmtp of dropped payloads, keeps order', () => {
  const out = rewrite(sample('baresip-offer'), [
    line(30010, { rtcpMux: true, codecs: ['OPUS', 'speex/16000', 'PCMA', 'telephone-event'] }),
  ]);
  assert.deepEqual(out, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'a=tool:baresip 1.1.0',
    'm=audio 30010 RTP/AVP 96 98 8 101',
    'b=AS:106',
    'a=rtpmap:96 opus/48000/2',
    'a=fmtp:96 stereo=1;sprop-stereo=1',
    'a=rtpmap:98 speex/16000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
    'a=label:1',
    'a=ssrc:3523672386 cname:0d9ac3f2-51b8-4bd2-a37e-8d5f5a0e8c1b',
    'a=rtcp:30010',
    'a=rtcp-mux',
  ]);
});

test('rewrite: rtcp-mux (and rtcp-mux-only, RFC 8858) offered but not planned: removed', () => {
  const sdp = sample('baresip-offer').replace('a=rtcp-mux\r\n', 'a=rtcp-mux\r\na=rtcp-mux-only\r\n');
  assert.match(sdp, /a=rtcp-mux-only/);
  const out = rewrite(sdp, [line(30010, { codecs: ['PCMU'] })]);
  assert.deepEqual(out.slice(5), ['m=audio 30010 RTP/AVP 0', 'b=AS:106', 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv',
    'a=label:1', 'a=ssrc:3523672386 cname:0d9ac3f2-51b8-4bd2-a37e-8d5f5a0e8c1b']);
});

test('rewrite: linphone offer: ICE removed at both levels, rtcp-fb of dropped video payloads removed, AVPF -> SAVPF', () => {
  const out = rewrite(sample('linphone-offer'), [
    line(30020, { codecs: ['PCMU', 'G729', 'telephone-event/8000'] }),
    line(30030, { crypto: SDES80, codecs: ['H264'] }),
  ]);
  assert.deepEqual(out, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics',
    'a=record:off',
    'm=audio 30020 RTP/AVP 0 18 100',
    'a=fmtp:18 annexb=yes',
    'a=rtpmap:100 telephone-event/8000',
    'a=rtcp-fb:* trr-int 1000',
    'a=rtcp-fb:* ccm tmmbr',
    'm=video 30030 RTP/SAVPF 97',
    'a=rtpmap:97 H264/90000',
    'a=fmtp:97 profile-level-id=42801F',
    'a=rtcp-fb:* trr-int 1000',
    'a=rtcp-fb:97 nack pli',
    'a=rtcp-fb:97 ccm fir',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
  ]);
});

test('rewrite: WebRTC offer rejected by the plan: port 0, same proto, first format, nothing else; BUNDLE dropped', () => {
  const out = rewrite(sample('webrtc-offer'), [line(0)]);
  assert.deepEqual(out, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS',
    'm=audio 0 UDP/TLS/RTP/SAVPF 111',
  ]);
});

test('rewrite: WebRTC offer relayed anyway: no ICE/DTLS attribute survives, proto becomes RTP/SAVPF', () => {
  const out = rewrite(sample('webrtc-offer'), [line(30040, { rtcpMux: true, crypto: SDES80, codecs: ['opus', 'PCMU'] })]);
  const media = out.slice(out.indexOf('m=audio 30040 RTP/SAVPF 111 0'));
  assert.deepEqual(media, [
    'm=audio 30040 RTP/SAVPF 111 0',
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=sendrecv',
    'a=msid:- 7b4b1a9c-6b0f-4d1e-9a3e-3cfc5e4e2a10',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:0 PCMU/8000',
    'a=ssrc:1001 cname:abcdefghijklmnop',
    'a=rtcp:30040',
    'a=rtcp-mux',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
  ]);
});

test('rewrite: hold forms pass through (a=sendonly, session a=inactive, RFC 2543 c=0.0.0.0)', () => {
  assert.deepEqual(rewrite(sample('hold-sendonly'), [line(30050)]).slice(4), [
    'm=audio 30050 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendonly',
  ]);
  assert.deepEqual(rewrite(sample('hold-inactive-session'), [line(30052)]), [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'a=inactive',
    'm=audio 30052 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
  ]);
  assert.deepEqual(rewrite(sample('hold-rfc2543'), [line(30054)]), [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'm=audio 30054 RTP/AVP 0 8 101',
    'c=IN IP4 0.0.0.0',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
  ]);
});

test('rewrite: a=rtcp with the peer address becomes ours, only the port', () => {
  assert.deepEqual(rewrite(sample('rtcp-address'), [line(30060, { rtcpPort: 30071 })]).slice(4), [
    'm=audio 30060 RTP/AVP 8 101',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=rtcp:30071',
  ]);
});

test('rewrite: audio + rejected video: same m= count and order, media c= moved to the session', () => {
  const sdp = sample('audio-video-rejected');
  const out = rewrite(sdp, [line(30080), line(30082)]); // the plan cannot revive a rejected line
  assert.deepEqual(out, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'm=audio 30080 RTP/AVP 0 97',
    'b=AS:64',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:97 iLBC/8000',
    'a=fmtp:97 mode=30',
    'm=video 0 RTP/AVP 31',
  ]);
  const rejectedAudio = rewrite(sdp, [line(0), line(0)]);
  assert.deepEqual(rejectedAudio.slice(4), ['m=audio 0 RTP/AVP 0', 'm=video 0 RTP/AVP 31']);
});

test('rewrite: a codec filter that leaves nothing rejects the line', () => {
  const out = rewrite(sample('linphone-offer'), [line(30020, { codecs: ['PCMA'] }), line(30030, { codecs: ['AV1'] })]);
  assert.deepEqual(out.filter((l) => l.startsWith('m=')), ['m=audio 30020 RTP/AVP 8', 'm=video 0 RTP/AVPF 96']);
  assert.equal(out.at(-1), 'm=video 0 RTP/AVPF 96');
});

test('rewrite: telephone-event and CN survive a codec filter only when allowed', () => {
  const sdp = sample('freepbx-static-offer');
  assert.equal(rewrite(sdp, [line(30090, { codecs: ['PCMA'] })])[5], 'm=audio 30090 RTP/AVP 8');
  assert.equal(rewrite(sdp, [line(30090, { codecs: ['cn', 'PCMA'] })])[5], 'm=audio 30090 RTP/AVP 8 13');
  assert.equal(rewrite(sdp, [line(30090)])[5], 'm=audio 30090 RTP/AVP 8 0 18 13 101');
});

test('rewrite: IPv6 plan address gives IN IP6 in o= and c=; IPv6 source to IPv4', () => {
  const v6 = rewrite(sample('asterisk-offer'), [line(30100)], '2001:db8::5');
  assert.equal(v6[2], 'c=IN IP6 2001:db8::5');
  const v4 = rewrite(sample('ipv6-offer'), [line(30102, { rtcpMux: true })]);
  assert.deepEqual(v4, [
    'v=0',
    's=-',
    `c=IN IP4 ${OURS}`,
    't=0 0',
    'm=audio 30102 RTP/AVP 9 8 101',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=ptime:20',
    'a=rtcp:30102',
    'a=rtcp-mux',
  ]);
});

test('rewrite: T.38 image line keeps its proto and attributes, gets our port', () => {
  assert.deepEqual(rewrite(sample('t38-reinvite'), [line(30110, { crypto: SDES80, codecs: ['PCMA'] })]).slice(4), [
    'm=image 30110 udptl t38',
    'a=T38FaxVersion:0',
    'a=T38MaxBitRate:14400',
    'a=T38FaxRateManagement:transferredTCF',
    'a=T38FaxMaxDatagram:400',
    'a=T38FaxUdpEC:t38UDPRedundancy',
  ]);
});

test('rewrite: missing s= and t= are supplied, i=/u=/e=/p=/k= are not passed on', () => {
  const sdp = [
    'v=0', 'o=- 1 1 IN IP4 192.0.2.1', 'i=Alice Smith\'s desk phone', 'u=http://pbx.example.com', 'e=alice@example.com',
    'p=+1 555 0100', 'c=IN IP4 192.0.2.1', 'k=clear:secret', 'm=audio 5000 RTP/AVP 0', 'i=voice', 'k=clear:secret', '',
  ].join('\r\n');
  assert.deepEqual(rewrite(sdp, [line(30120)]), ['v=0', 's=-', `c=IN IP4 ${OURS}`, 't=0 0', 'm=audio 30120 RTP/AVP 0', 'i=voice']);
});

test('rewrite: output is valid SDP that describes back to the plan', () => {
  const samples = ['asterisk-offer', 'vonage-srtp-offer', 'baresip-offer', 'linphone-offer', 'webrtc-offer', 'hold-rfc2543',
    'hold-inactive-session', 'rtcp-address', 'audio-video-rejected', 'ipv6-offer', 't38-reinvite', 'freepbx-static-offer'];
  for (const name of samples) {
    const source = describeSdp(sample(name)).media;
    const plan = source.map((m, i) => line(m.relayable ? 31000 + 2 * i : 0, { crypto: i % 2 ? SDES80 : null, rtcpMux: m.rtcpMux }));
    const out = rewriteSdp(sample(name), { address: OURS, lines: plan }, new SdpOrigin(OURS));
    const back = describeSdp(out).media;
    assert.equal(back.length, source.length, name);
    back.forEach((m, i) => {
      const src = source[i];
      assert.ok(src);
      assert.equal(m.type, src.type, name);
      assert.equal(m.port, src.relayable ? 31000 + 2 * i : 0, name);
      if (m.rejected) return;
      assert.equal(m.address, src.held && src.address === '0.0.0.0' ? '0.0.0.0' : OURS, name);
      assert.equal(m.rtcpMux, src.rtcpMux, name);
      assert.equal(m.proto, i % 2 ? 'RTP/SAVP' + (src.proto.endsWith('F') ? 'F' : '') : 'RTP/AVP' + (src.proto.endsWith('F') ? 'F' : ''), name);
      assert.deepEqual(m.crypto, i % 2 ? [SDES80] : [], name);
      assert.deepEqual(m.codecs, src.codecs, name);
      assert.equal(m.direction, src.direction, name);
    });
  }
});

test('rewrite: a plan for another SDP is an SdpError, a bad plan a RangeError', () => {
  const sdp = sample('asterisk-offer');
  const origin = new SdpOrigin(OURS);
  assert.throws(() => rewriteSdp(sdp, { address: OURS, lines: [line(1), line(2)] }, origin), SdpError);
  assert.throws(() => rewriteSdp(sdp, { address: OURS, lines: [line(70000)] }, origin), RangeError);
  assert.throws(() => rewriteSdp(sdp, { address: OURS, lines: [line(1.5)] }, origin), RangeError);
  assert.throws(() => rewriteSdp(sdp, { address: OURS, lines: [line(30000, { rtcpPort: 0 })] }, origin), RangeError);
  assert.throws(() => rewriteSdp(sdp, { address: '', lines: [line(30000)] }, origin), RangeError);
  assert.throws(() => rewriteSdp(sdp, { address: '1.2.3.4\r\na=x', lines: [line(30000)] }, origin), RangeError);
  assert.throws(() => rewriteSdp('v=0\r\n', { address: OURS, lines: [] }, origin), SdpError);
});
