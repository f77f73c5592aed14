// Stands in for a fuzz target of the SDP/SDES parsing: thousands of
// deterministic mutations of real SDPs through describeSdp, rewriteSdp and
// parseCrypto. Each call must return or throw SdpError, nothing else; what
// rewriteSdp returns must itself be valid SDP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type LinePlan,
  type MediaDescription,
  type SdesCrypto,
  SdpError,
  SdpOrigin,
  describeSdp,
  parseCrypto,
  rewriteSdp,
} from '../../../src/media/sdp/index.js';
import { VONAGE_KEY_80, crlfLines, sample } from './sdp-samples.js';

const SAMPLES = ['asterisk-offer', 'freepbx-static-offer', 'vonage-srtp-offer', 'baresip-offer', 'linphone-offer', 'webrtc-offer',
  'hold-sendonly', 'hold-inactive-session', 'hold-rfc2543', 'rtcp-address', 'audio-video-rejected', 'ipv6-offer', 't38-reinvite']
  .map((name) => sample(name));
const CASES = 2000;
const SDES: SdesCrypto = { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: VONAGE_KEY_80 };

// mulberry32: small, seeded, the same sequence on every run.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ['0', '-1', '65535', '65536', '99999999999999999999', '1.5', '', ' ', '0.0.0.0', '::', '2^99', '|', ':', '/',
  '*', 'IN', 'IP7', 'inline:', 'a=', '\t', '\u00e9', '\u{1F4DE}', '\u2028', '\r', '\n', '\0', '%s', '__proto__', 'constructor'];

function mutate(source: string, rand: () => number): string {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  let text = source;
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const lines = text.split('\r\n');
    switch (int(9)) {
      case 0: // drop a line
        lines.splice(int(lines.length), 1);
        text = lines.join('\r\n');
        break;
      case 1: // duplicate a line somewhere
        lines.splice(int(lines.length + 1), 0, pick(lines));
        text = lines.join('\r\n');
        break;
      case 2: { // swap two lines
        const i = int(lines.length);
        const j = int(lines.length);
        [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
        text = lines.join('\r\n');
        break;
      }
      case 3: // truncate
        text = text.slice(0, int(text.length + 1));
        break;
      case 4: { // overwrite random characters with random bytes
        const chars = [...text];
        for (let k = 1 + int(8); k > 0; k--) chars[int(chars.length)] = String.fromCharCode(int(256));
        text = chars.join('');
        break;
      }
      case 5: { // insert random bytes
        const at = int(text.length + 1);
        const bytes = Array.from({ length: 1 + int(16) }, () => String.fromCharCode(int(256))).join('');
        text = text.slice(0, at) + bytes + text.slice(at);
        break;
      }
      case 6: // replace one number with an interesting token
        text = text.replace(/\d+/g, (m) => (rand() < 0.05 ? pick(INTERESTING) : m));
        break;
      case 7: { // replace one space-separated token of one line
        const i = int(lines.length);
        const tokens = (lines[i] ?? '').split(' ');
        tokens[int(tokens.length)] = pick(INTERESTING);
        lines[i] = tokens.join(' ');
        text = lines.join('\r\n');
        break;
      }
      default: // line endings: LF only, or a stray CR
        text = rand() < 0.5 ? text.replace(/\r\n/g, '\n') : text.replace('\r\n', '\r');
    }
  }
  return text;
}

function planFor(media: MediaDescription[], rand: () => number): LinePlan[] {
  return media.map((m, i) => {
    const names = m.codecs.map((c) => c.name);
    const codecs = rand() < 0.5 ? undefined : names.filter(() => rand() < 0.5);
    return {
      port: m.relayable || rand() < 0.2 ? 40000 + 2 * i : 0,
      rtcpPort: 40001 + 2 * i,
      rtcpMux: rand() < 0.5,
      crypto: rand() < 0.5 ? SDES : null,
      ...(codecs ? { codecs } : {}),
    };
  });
}

/** Runs `fn`; returns whether it returned. Anything thrown that is not an SdpError fails the test. */
function returnsOrSdpError(what: string, input: string, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof SdpError) return false;
    assert.fail(`${what} threw ${String(err)} for input ${JSON.stringify(input)}`);
  }
}

test(`robustness: ${CASES} seeded mutations through describeSdp/rewriteSdp/parseCrypto`, () => {
  const rand = prng(0x5d9e4);
  let described = 0;
  let rewritten = 0;
  let cryptoParsed = 0;
  const started = Date.now();
  for (let n = 0; n < CASES; n++) {
    const input = mutate(SAMPLES[n % SAMPLES.length] as string, rand);
    let media: MediaDescription[] = [];
    if (returnsOrSdpError('describeSdp', input, () => (media = describeSdp(input).media))) {
      described++;
      const plan = { address: rand() < 0.5 ? '203.0.113.5' : '2001:db8::5', lines: planFor(media, rand) };
      let out = '';
      if (returnsOrSdpError('rewriteSdp', input, () => (out = rewriteSdp(input, plan, new SdpOrigin(plan.address))))) {
        rewritten++;
        // What we send is valid SDP, CRLF only, with the same number of m= lines.
        crlfLines(out);
        assert.equal(describeSdp(out).media.length, media.length, input);
      }
    }
    // A plan made for another SDP (the sample's own one-line plan) is an SdpError at worst.
    returnsOrSdpError('rewriteSdp', input, () =>
      rewriteSdp(input, { address: '203.0.113.5', lines: [{ port: 40000, rtcpPort: 40001, rtcpMux: false, crypto: null }] },
        new SdpOrigin('203.0.113.5')));
    for (const line of input.split(/\r\n|\r|\n/)) {
      if (!line.includes('crypto')) continue;
      returnsOrSdpError('parseCrypto', line, () => {
        const c = parseCrypto(line.replace(/^a=crypto:/, ''));
        if (c) {
          cryptoParsed++;
          assert.equal(c.key.length, 30);
        }
      });
    }
  }
  // The mutations must exercise both paths, not only the early rejections.
  assert.ok(described > CASES * 0.2 && described < CASES * 0.95, `described ${described}`);
  assert.ok(rewritten > CASES * 0.2, `rewritten ${rewritten}`);
  assert.ok(cryptoParsed > 50, `crypto parsed ${cryptoParsed}`);
  assert.ok(Date.now() - started < 20_000, 'took longer than 20 s');
});

test('robustness: parseCrypto on random strings and mutated lines returns an SdesCrypto or null', () => {
  const rand = prng(0xc0ffee);
  const base = '1 AES_CM_128_HMAC_SHA1_80 inline:AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM|2^20|1:4 KDR=0';
  let parsed = 0;
  for (let n = 0; n < CASES; n++) {
    const chars = [...base];
    for (let k = int(4); k >= 0; k--) {
      const at = Math.floor(rand() * (chars.length + 1));
      const op = Math.floor(rand() * 3);
      const ch = String.fromCharCode(Math.floor(rand() * 128));
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, ch);
      else chars[at] = ch;
    }
    const c = parseCrypto(chars.join(''));
    if (c) {
      parsed++;
      assert.equal(c.key.length, 30);
      assert.ok(c.suite === 'AES_CM_128_HMAC_SHA1_80' || c.suite === 'AES_CM_128_HMAC_SHA1_32');
    }
  }
  assert.ok(parsed > 0 && parsed < CASES, `parsed ${parsed}`);
  function int(n: number): number {
    return Math.floor(rand() * n);
  }
});

test('robustness: long pathological lines are handled quickly', () => {
  const head = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n';
  const fillers = ['a=rtpmap:0 ' + 'a'.repeat(60000), 'a=fmtp:0 ' + '| '.repeat(30000), 'a=rtcp:' + '1'.repeat(60000),
    'a=ptime:' + '1.'.repeat(30000), 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:' + 'A|'.repeat(30000),
    'a=rtcp-fb:0 ' + 'x '.repeat(30000), 'a=imageattr:0 send ' + '[x=1] '.repeat(10000)];
  for (const filler of fillers) {
    const started = process.hrtime.bigint();
    const sdp = head + filler.slice(0, 65000 - head.length) + '\r\n';
    try {
      describeSdp(sdp);
      rewriteSdp(sdp, { address: '203.0.113.5', lines: [{ port: 40000, rtcpPort: 40001, rtcpMux: false, crypto: null }] },
        new SdpOrigin('203.0.113.5'));
    } catch (err) {
      assert.ok(err instanceof SdpError, String(err));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 200, `${filler.slice(0, 20)}: ${ms} ms`);
  }
});
