// SDP as the SBC relays it: media is anchored, so the address (o=, c=) and
// the ports (m=, a=rtcp) are the SBC's own, and s= is "-" (topology hiding);
// everything else about the session — lines, codecs, directions, ptime —
// must arrive as it was sent. Parsed with sdp-transform, not our own code.
import assert from 'node:assert/strict';
import { parse } from 'sdp-transform';
import { ADDR } from './sbcd.js';

const SBC_ADDRESSES: ReadonlySet<string> = new Set([ADDR.sbcLan, ADDR.sbcWan]);

/** The session minus what anchoring rewrites, one line per fact, for comparison. */
export function anchoredView(body: string): string {
  return body
    .replace(/\r\n/g, '\n')
    .trim()
    .split('\n')
    .filter((l) => !/^(o|c|s)=/.test(l) && !/^a=rtcp:/.test(l))
    .map((l) => l.replace(/^m=(\S+) (\d+)( \S+ .*)$/, (_, t: string, port: string, rest: string) => `m=${t} ${port === '0' ? '0' : '*'}${rest}`))
    .join('\n');
}

/** Every connection address of a session (session level and media level). */
export function connectionAddresses(body: string): string[] {
  const s = parse(body);
  const out: string[] = [];
  if (s.connection?.ip) out.push(s.connection.ip);
  for (const m of s.media) if (m.connection?.ip) out.push(m.connection.ip);
  return out;
}

/** `got` is `sent` with its media anchored on the SBC: same session, the SBC's address and ports. */
export function assertAnchoredSdp(gotBody: string, sentBody: string, label = 'SDP'): void {
  assert.equal(anchoredView(gotBody), anchoredView(sentBody), `${label}: the session crosses as it was sent (but for address and ports)`);
  const got = connectionAddresses(gotBody).filter((a) => a !== '0.0.0.0');
  assert.ok(got.length > 0, `${label}: has a connection address`);
  for (const a of got) assert.ok(SBC_ADDRESSES.has(a), `${label}: c= ${a} is the SBC's, not the other side's`);
  const sentPorts = parse(sentBody).media.map((m) => m.port);
  parse(gotBody).media.forEach((m, i) => {
    if (sentPorts[i] === 0) assert.equal(m.port, 0, `${label}: a rejected line stays rejected`);
    else assert.ok(m.port > 0, `${label}: m= line ${i} has a relay port`);
  });
}
