// sip.conf for Asterisk's legacy chan_sip (V-IN-8): one peer for the SBC,
// and the register => line in [general] when the PBX registers to the SBC.
import { type SnippetTarget, hostForUri, iniValue } from './target.js';

export function asteriskSip(t: SnippetTarget): string {
  const n = t.name;
  const lines: string[] = [`; EdgeSBC: the SBC at ${hostForUri(t.sbcHost)}:${t.sbcPort} (${t.transport}) for this PBX`];
  if (t.register) {
    const transport = t.transport === 'udp' ? '' : `${t.transport}://`;
    lines.push('[general]', `register => ${transport}${t.register.username}:${iniValue(t.register.password)}@${hostForUri(t.sbcHost)}:${t.sbcPort}`, '');
  }
  lines.push(
    `[${n}]`,
    'type=peer',
    `host=${t.sbcHost}`,
    `port=${t.sbcPort}`,
    `transport=${t.transport}`,
    `context=from-${n}`,
    'insecure=port,invite',
    'qualify=yes',
    'qualifyfreq=120',
    'disallow=all',
    ...t.codecs.map((c) => `allow=${c}`),
    'dtmfmode=rfc2833',
    'directmedia=no',
    `encryption=${t.srtp ? 'yes' : 'no'}`,
  );
  if (t.register) lines.push(`defaultuser=${t.register.username}`, `secret=${iniValue(t.register.password)}`, `fromuser=${t.register.username}`);
  lines.push('');
  return lines.join('\n');
}
