// What an SDP body says about media, for assertions (parsed with
// sdp-transform, independent of the SBC's own SDP code).
import assert from 'node:assert/strict';
import { parse } from 'sdp-transform';
import { ipPattern } from './sip-log.js';
import type { UdpAddress } from './rtp-endpoint.js';

export interface CryptoLine {
  tag: number;
  suite: string;
  /** base64 of the 30-byte master key + salt (the inline: value up to any '|'). */
  key: string;
}

export interface MediaView {
  port: number;
  proto: string;
  /** Effective connection address (media c=, else session c=). */
  address: string;
  direction: string;
  crypto: CryptoLine[];
  rtcpMux: boolean;
}

export interface SdpView {
  originAddress: string;
  sessionAddress: string | undefined;
  media: MediaView[];
}

export function readSdp(body: string): SdpView {
  const s = parse(body);
  const sessionAddress = s.connection?.ip;
  return {
    originAddress: s.origin?.address ?? '',
    sessionAddress,
    media: (s.media ?? []).map((m) => ({
      port: m.port,
      proto: m.protocol,
      address: m.connection?.ip ?? sessionAddress ?? '',
      direction: m.direction ?? s.direction ?? 'sendrecv',
      crypto: (m.crypto ?? []).map((c) => ({ tag: c.id, suite: c.suite, key: /^inline:([^|]+)/.exec(c.config)?.[1] ?? '' })),
      rtcpMux: m.rtcpMux !== undefined,
    })),
  };
}

/** The first audio stream's RTP address as the SDP gives it. */
export function audioAddress(body: string): UdpAddress {
  const v = readSdp(body);
  const m = v.media[0];
  assert.ok(m, `no m= line in SDP:\n${redactKeys(body)}`);
  return { ip: m.address, port: m.port };
}

/**
 * The SDP names only the SBC: every address is `sbcIp`, the audio port lies in
 * the side's media range, and none of the `foreign` addresses or ports (the
 * other peer's, the other side's) appear anywhere in it.
 */
export function assertOnlySbcMedia(
  body: string,
  sbcIp: string,
  range: { min: number; max: number },
  foreign: { ips: string[]; ports: number[] },
  label: string,
): MediaView {
  const v = readSdp(body);
  const ctx = `${label}: SDP\n${redactKeys(body)}`;
  assert.equal(v.originAddress, sbcIp, `${ctx}\no= address is not the SBC's`);
  const m = v.media[0];
  assert.ok(m, `${ctx}\nno m= line`);
  assert.equal(m.address, sbcIp, `${ctx}\nmedia connection address is not the SBC's`);
  for (const c of body.split(/\r?\n/).filter((l) => l.startsWith('c='))) {
    assert.match(c, new RegExp(`^c=IN IP4 ${sbcIp.replace(/\./g, '\\.')}\\s*$`), `${ctx}\nforeign c= line`);
  }
  assert.ok(m.port >= range.min && m.port <= range.max, `${ctx}\naudio port ${m.port} outside the SBC's media range ${range.min}-${range.max}`);
  for (const ip of foreign.ips) assert.doesNotMatch(body, ipPattern(ip), `${ctx}\nleaks address ${ip}`);
  for (const port of foreign.ports) {
    assert.doesNotMatch(body, new RegExp(`(?<![0-9])${port}(?![0-9])`), `${ctx}\nleaks port ${port}`);
  }
  return m;
}

/** The SDP with every a=crypto key replaced, for assertion messages (keys stay out of logs). */
export function redactKeys(body: string): string {
  return body.replace(/inline:[^|\s]+/g, 'inline:<key>');
}
