// What every PBX snippet needs (V-IN-8): where the PBX finds the SBC (the
// PBX's side: its advertised or first address, the port of the PBX's
// transport), how the PBX is known (static or registering), and its media.
import type { ConfigDocument, PbxConfig } from '../../config/document.js';

export type SnippetTransport = 'udp' | 'tcp' | 'tls';

export interface SnippetTarget {
  /** Section/gateway name on the PBX (the SBC as the PBX sees it). */
  name: string;
  sbcHost: string;
  sbcPort: number;
  transport: SnippetTransport;
  /** The PBX's own port (where the SBC sends calls). */
  pbxPort: number;
  /** Set when the PBX registers to the SBC (registration.mode = register). */
  register: { username: string; password: string } | undefined;
  srtp: boolean;
  /** Asterisk codec names, in order. */
  codecs: string[];
}

export class SnippetError extends Error {}

/** Stands in for the REGISTER password unless the caller asks for the real one. */
export const PASSWORD_PLACEHOLDER = 'CHANGE_ME';

// Encoding names of the config (PBX media.codecs) → Asterisk's names.
const ASTERISK_CODEC: Record<string, string> = {
  pcmu: 'ulaw',
  pcma: 'alaw',
  g722: 'g722',
  g729: 'g729',
  gsm: 'gsm',
  opus: 'opus',
  ilbc: 'ilbc',
  speex: 'speex',
  'speex/16000': 'speex16',
  'speex/32000': 'speex32',
};
// [] in the config means "all": offer what Vonage takes (V-OUT-6), G.711 first.
const DEFAULT_CODECS = ['ulaw', 'alaw', 'g722'];

export function asteriskCodecs(configCodecs: string[]): string[] {
  if (configCodecs.length === 0) return DEFAULT_CODECS;
  const out: string[] = [];
  for (const c of configCodecs) {
    const name = ASTERISK_CODEC[c.toLowerCase()] ?? ASTERISK_CODEC[c.toLowerCase().split('/')[0]!];
    if (name && !out.includes(name)) out.push(name); // telephone-event is DTMF, not a codec here
  }
  return out.length > 0 ? out : DEFAULT_CODECS;
}

export interface SnippetOptions {
  /** Name of the SBC on the PBX (sections, gateway); default "edgesbc". */
  name?: string;
  /** Put the PBX's REGISTER password into the snippet (it is a secret: off by default). */
  includePassword?: boolean;
}

/** The PBX by name (default: the first). Throws SnippetError when it cannot be done. */
export function snippetTarget(doc: ConfigDocument, pbxName?: string, options: SnippetOptions = {}): SnippetTarget {
  const pbx: PbxConfig | undefined = pbxName === undefined ? doc.pbxs[0] : doc.pbxs.find((p) => p.name === pbxName);
  if (!pbx) throw new SnippetError(pbxName === undefined ? 'no PBX configured' : `no PBX "${pbxName}"`);
  const side = doc.sides[pbx.side];
  if (!side) throw new SnippetError(`PBX "${pbx.name}": no side "${pbx.side}"`);
  const transport = pbx.transport as SnippetTransport;
  const sbcPort = side[transport];
  if (!sbcPort) throw new SnippetError(`side ${pbx.side} does not listen on ${transport.toUpperCase()}, the transport of PBX "${pbx.name}"`);
  const sbcHost = side.advertised_address || side.addresses[0];
  if (!sbcHost) throw new SnippetError(`side ${pbx.side} has no address`);
  const name = options.name ?? 'edgesbc';
  if (!/^[a-z0-9_-]{1,32}$/.test(name)) throw new SnippetError(`name "${name}": a-z, 0-9, _ and -, at most 32`);
  const reg = pbx.registration;
  return {
    name,
    sbcHost,
    sbcPort,
    transport,
    pbxPort: pbx.port,
    register:
      reg.mode === 'register'
        ? { username: reg.username, password: options.includePassword ? reg.password : PASSWORD_PLACEHOLDER }
        : undefined,
    srtp: pbx.media.srtp === 'sdes',
    codecs: asteriskCodecs(pbx.media.codecs),
  };
}

export function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** sip:host:port[;transport=tcp|tls] */
export function sbcUri(t: SnippetTarget, user = ''): string {
  return `sip:${user ? `${user}@` : ''}${hostForUri(t.sbcHost)}:${t.sbcPort}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
}

/** A value for Asterisk's config files, where an unescaped `;` starts a comment. */
export function iniValue(v: string): string {
  return v.replace(/;/g, '\\;');
}
