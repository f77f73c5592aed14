// Small probes run from inside a namespace (usually the SBC's, where the SBC
// would stand): a DNS question to the stand-in's dnsmasq, and a TLS
// handshake with one protocol version against an edge's 5061.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { netnsExecArgs } from '../harness/index.js';

const dnsProbeScript = fileURLToPath(new URL('./dns-probe.js', import.meta.url));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runIn(ns: string, cmd: string, args: string[], timeoutMs: number, input = ''): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile('ip', netnsExecArgs(ns, cmd, args), { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : (child.exitCode ?? null)) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

export type DnsAnswer =
  | { ok: true; answer: unknown }
  | { ok: false; code: string; message: string };

/**
 * Asks `server` (ip, port 53 unless given; "-" = whatever the namespace's
 * resolv.conf names) one question from inside `ns`. ENOTFOUND = NXDOMAIN,
 * ENODATA = no such record.
 */
export async function dnsLookup(ns: string, server: string, type: 'A' | 'SRV' | 'NAPTR', name: string, port = 53): Promise<DnsAnswer> {
  const r = await runIn(ns, process.execPath, [dnsProbeScript, server, String(port), type, name], 10_000);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as DnsAnswer;
  } catch {
    return { ok: false, code: 'PROBE_FAILED', message: `dns probe exit ${r.code}: ${r.stderr.slice(-500)}` };
  }
}

export type TlsVersion = '1' | '1.1' | '1.2' | '1.3';

export interface TlsProbeResult {
  /** The handshake completed. */
  ok: boolean;
  /** "TLSv1.2" … when it did. */
  protocol: string | null;
  output: string;
}

/**
 * One TLS handshake with `openssl s_client` forced to `version`, from inside
 * `ns`. The client side allows security level 0, so a refusal of TLS 1.0/1.1
 * is the server's policy, not the local OpenSSL's defaults. `send` is
 * written after the handshake (a SIP request, say).
 */
export async function tlsProbe(ns: string, to: { ip: string; port: number }, version: TlsVersion, send = ''): Promise<TlsProbeResult> {
  const flag = { '1': '-tls1', '1.1': '-tls1_1', '1.2': '-tls1_2', '1.3': '-tls1_3' }[version];
  const args = ['s_client', '-connect', `${to.ip}:${to.port}`, flag, '-brief'];
  if (version !== '1.3') args.push('-cipher', 'DEFAULT:@SECLEVEL=0');
  // `send` (e.g. a SIP request) is written once the handshake is done; the
  // client closes at the end of its input.
  const r = await runIn(ns, 'openssl', args, 10_000, send);
  const output = `${r.stdout}\n${r.stderr}`;
  const m = /Protocol version:\s*(\S+)/.exec(output);
  return { ok: r.code === 0 && m !== null, protocol: m ? m[1]! : null, output: output.slice(-3000) };
}
