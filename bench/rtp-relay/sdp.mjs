// The little SDP the benchmark exchanges with rtpengine: one PCMU audio line per
// endpoint, optionally RTP/SAVP with one SDES a=crypto, and the reading back of
// the relay's address, port and a=crypto from its rewritten SDP.

export const SUITE = 'AES_CM_128_HMAC_SHA1_80';

/**
 * An endpoint's SDP (offer or answer). `crypto`: {tag, key: Buffer(30)} for RTP/SAVP.
 * `codec`: {pt, rtpmap, fmtp?} instead of PCMU (bench/transcode's answers).
 */
export function endpointSdp({ ip, port, sessionId, crypto, codec }) {
  const pt = codec?.pt ?? 0;
  const lines = [
    'v=0',
    `o=- ${sessionId} 1 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} ${crypto ? 'RTP/SAVP' : 'RTP/AVP'} ${pt}`,
    `a=rtpmap:${pt} ${codec?.rtpmap ?? 'PCMU/8000'}`,
    ...(codec?.fmtp ? [`a=fmtp:${pt} ${codec.fmtp}`] : []),
    'a=ptime:20',
    'a=sendrecv',
  ];
  if (crypto) lines.push(`a=crypto:${crypto.tag} ${SUITE} inline:${crypto.key.toString('base64')}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The relay's side of a rewritten SDP: where to send, and its SDES keys by suite. */
export function readRelaySdp(sdp) {
  const lines = sdp.split(/\r?\n/);
  const c = lines.find((l) => l.startsWith('c=IN IP4 '));
  const m = lines.find((l) => l.startsWith('m=audio '));
  if (!c || !m) throw new Error(`relay SDP without c= or m=audio:\n${sdp}`);
  const [, port, proto] = m.split(' ');
  const crypto = [];
  for (const l of lines) {
    const x = /^a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)/.exec(l);
    if (x) crypto.push({ tag: Number(x[1]), suite: x[2], key: Buffer.from(x[3], 'base64') });
  }
  return { ip: c.slice('c=IN IP4 '.length).trim(), port: Number(port), proto, crypto };
}
