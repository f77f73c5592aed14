// Format parameters a peer requires of a codec, written into the SDP we send
// it: Vonage takes G.729 only without Annex B (V-OUT-6), and G.729 without
// an fmtp line means annexb=yes (RFC 4856 §2.1.9), so every G.729 payload
// type we offer or answer toward it carries "a=fmtp:18 annexb=no".
// Works on the text as written (after rewriteSdp): a line it does not
// change stays byte for byte, so the o= version logic is not disturbed.
import { attributeName, attributeValue, splitSdp } from './lines.js';
import { parsePayloadType, staticCodec } from './codecs.js';

/** Encoding name (any case) → "param=value" that its fmtp must carry. */
export type RequiredFmtp = Readonly<Record<string, string>>;

function fmtpParams(text: string): Array<[string, string]> {
  return text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    });
}

function withParam(fmtp: string, key: string, value: string): string {
  const params = fmtpParams(fmtp);
  const i = params.findIndex(([k]) => k.toLowerCase() === key.toLowerCase());
  if (i >= 0) params[i] = [params[i]![0], value];
  else params.push([key, value]);
  return params.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(';');
}

/**
 * `sdp` with every payload type of a codec named in `required` carrying the
 * required fmtp parameter (added, or its value replaced). SDP that does not
 * parse is returned unchanged: the media layer has already judged it.
 */
export function requireFmtp(sdp: string, required: RequiredFmtp): string {
  const wanted = new Map(Object.entries(required).map(([codec, param]) => [codec.toLowerCase(), param]));
  if (wanted.size === 0 || sdp === '') return sdp;
  let sections;
  try {
    sections = splitSdp(sdp);
  } catch {
    return sdp;
  }
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = sections.session.map((l) => `${l.type}=${l.value}`);
  let changed = false;
  for (const media of sections.media) {
    const lines = media.map((l) => `${l.type}=${l.value}`);
    const [, port, , ...formats] = (media[0]?.value ?? '').trim().split(/\s+/);
    if (port === '0') {
      out.push(...lines);
      continue;
    }
    // Payload type → encoding name: rtpmap first, the static table otherwise.
    const names = new Map<number, string>();
    for (const f of formats) {
      const pt = parsePayloadType(f);
      if (pt !== null) names.set(pt, staticCodec(pt).name.toLowerCase());
    }
    for (const l of media) {
      if (l.type !== 'a' || attributeName(l.value).toLowerCase() !== 'rtpmap') continue;
      const [ptText, enc] = attributeValue(l.value).trim().split(/\s+/);
      const pt = parsePayloadType(ptText ?? '');
      if (pt !== null && names.has(pt)) names.set(pt, (enc ?? '').split('/')[0]!.toLowerCase());
    }
    for (const [pt, name] of names) {
      const param = wanted.get(name);
      if (param === undefined) continue;
      const eq = param.indexOf('=');
      const key = eq < 0 ? param : param.slice(0, eq);
      const value = eq < 0 ? '' : param.slice(eq + 1);
      const fmtpAt = lines.findIndex((l) => new RegExp(`^a=fmtp:${pt}(\\s|$)`).test(l));
      if (fmtpAt >= 0) {
        const text = lines[fmtpAt]!.slice(`a=fmtp:${pt}`.length).trim();
        const next = `a=fmtp:${pt} ${withParam(text, key, value)}`;
        if (next !== lines[fmtpAt]) {
          lines[fmtpAt] = next;
          changed = true;
        }
        continue;
      }
      const rtpmapAt = lines.findIndex((l) => new RegExp(`^a=rtpmap:${pt}\\s`).test(l));
      const firstAttr = lines.findIndex((l) => l.startsWith('a='));
      const at = rtpmapAt >= 0 ? rtpmapAt + 1 : firstAttr >= 0 ? firstAttr : lines.length;
      lines.splice(at, 0, `a=fmtp:${pt} ${param}`);
      changed = true;
    }
    out.push(...lines);
  }
  return changed ? `${out.join(eol)}${eol}` : sdp;
}
