// pjsip.conf for Asterisk (chan_pjsip) pointed at the SBC (V-IN-8): a
// transport, endpoint, aor (qualify_frequency=120, as Vonage's example),
// identify (calls from the SBC's address are this endpoint), and, when the
// PBX registers to the SBC, auth and registration.
import { type SnippetTarget, hostForUri, iniValue, sbcUri } from './target.js';

// `;` starts a comment in Asterisk's config files: a URI parameter must be
// written `\;` or Asterisk cuts the value there.
function uri(t: SnippetTarget, user = ''): string {
  return sbcUri(t, user).replace(/;/g, '\\;');
}

export function asteriskPjsip(t: SnippetTarget): string {
  const n = t.name;
  const lines: string[] = [
    `; EdgeSBC: the SBC at ${hostForUri(t.sbcHost)}:${t.sbcPort} (${t.transport}) for this PBX; calls arrive in context from-${n}`,
    `[${n}-transport]`,
    'type=transport',
    `protocol=${t.transport}`,
    `bind=0.0.0.0:${t.pbxPort}`,
    '',
    `[${n}]`,
    'type=endpoint',
    `transport=${n}-transport`,
    `context=from-${n}`,
    'disallow=all',
    `allow=${t.codecs.join(',')}`,
    `aors=${n}-aor`,
    'direct_media=no',
    'dtmf_mode=rfc4733',
    `media_encryption=${t.srtp ? 'sdes' : 'no'}`,
  ];
  if (t.register) lines.push(`outbound_auth=${n}-auth`);
  lines.push('', `[${n}-aor]`, 'type=aor', `contact=${uri(t)}`, 'qualify_frequency=120', '');
  lines.push(`[${n}-identify]`, 'type=identify', `endpoint=${n}`, `match=${t.sbcHost}`, '');
  if (t.register) {
    lines.push(
      `[${n}-auth]`,
      'type=auth',
      'auth_type=userpass',
      `username=${t.register.username}`,
      `password=${iniValue(t.register.password)}`,
      '',
      `[${n}-registration]`,
      'type=registration',
      `transport=${n}-transport`,
      `outbound_auth=${n}-auth`,
      `server_uri=${uri(t)}`,
      `client_uri=${uri(t, t.register.username)}`,
      'retry_interval=60',
      'expiration=3600',
      '',
    );
  }
  return lines.join('\n');
}
