// FreePBX (chan_pjsip trunk) settings as the admin types them into
// Connectivity → Trunks → Add SIP (chan_pjsip) Trunk (V-IN-8). One
// "Field: value" per line under the tab it belongs to.
import { type SnippetTarget, hostForUri } from './target.js';

export function freepbx(t: SnippetTarget): string {
  const fields: Array<[string, Array<[string, string]>]> = [
    ['General', [['Trunk Name', t.name], ['Outbound CallerID', ''], ['Maximum Channels', '']]],
    [
      'pjsip Settings / General',
      [
        ['Username', t.register?.username ?? ''],
        ['Secret', t.register?.password ?? ''],
        ['Authentication', t.register ? 'Outbound' : 'None'],
        ['Registration', t.register ? 'Send' : 'None'],
        ['SIP Server', t.sbcHost],
        ['SIP Server Port', String(t.sbcPort)],
        ['Context', 'from-pstn'],
        ['Transport', `0.0.0.0-${t.transport}`],
      ],
    ],
    [
      'pjsip Settings / Advanced',
      [
        ['Contact User', ''],
        ['From Domain', ''],
        ['DTMF Mode', 'RFC 4733'],
        ['Qualify Frequency', '120'],
        ['Match (Permit)', t.sbcHost],
        ['Media Encryption', t.srtp ? 'SRTP via in-SDP' : 'None'],
        ['Direct Media', 'No'],
      ],
    ],
    ['pjsip Settings / Codecs', [['Codecs', t.codecs.join(',')]]],
  ];
  const out = [`# EdgeSBC: FreePBX trunk to the SBC at ${hostForUri(t.sbcHost)}:${t.sbcPort} (${t.transport})`];
  for (const [tab, rows] of fields) {
    out.push('', `[${tab}]`);
    for (const [k, v] of rows) out.push(`${k}: ${v}`);
  }
  out.push('');
  return out.join('\n');
}
