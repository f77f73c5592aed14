// The text an admin pastes into the Vonage dashboard's "forward to SIP URI"
// field so that a number's inbound calls reach this SBC, in the form the
// spec documents (../shared/spec/vonage-sip.md, seeds 001 and 003):
//
//   sip:<DID>@<host>[:port][;transport=tls|tcp];timeout=<ms>[;media=srtp]
//
// - a comma-separated list, tried by Vonage in order (V-IN-1): one entry per
//   public SBC address, first = primary;
// - `;timeout=N`, 2000–20000 ms, default 5000 (V-IN-3), on every entry;
// - `;transport=tls`, port left out when it is 5061 (V-IN-4); the legacy
//   form is `sips:<DID>@<host>[:port]` (seed 000), offered as an option;
// - `;media=srtp` when the trunk's media wants SRTP (V-IN-5).
//
// Parameter order follows the documented examples: transport first
// ("sip:1234@example.com;transport=tls;media=srtp"), timeout before media.
import type { ConfigDocument, SideConfig, TrunkConfig } from '../config/document.js';

export type UriTransport = 'udp' | 'tcp' | 'tls';

export const DASHBOARD_TIMEOUT_MIN_MS = 2000;
export const DASHBOARD_TIMEOUT_MAX_MS = 20000;
export const DASHBOARD_TIMEOUT_DEFAULT_MS = 5000;

export interface DashboardUriSpec {
  /** The number, E.164 without `+` (what Vonage puts in the R-URI user). */
  did: string;
  /** Public SBC addresses or DNS names, in failover order. */
  hosts: string[];
  transport: UriTransport;
  /** The SBC's listening port for that transport; left out when it is the default (5061 TLS, 5060 otherwise). */
  port: number;
  timeoutMs?: number;
  srtp?: boolean;
  /** `sips:` instead of `sip:…;transport=tls` (TLS only). */
  legacySips?: boolean;
}

export class DashboardUriError extends Error {}

const DID = /^[0-9]{1,15}$/;
// A DNS name or an IPv4 literal, or an IPv6 literal (bracketed below).
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

function hostForUri(host: string): string {
  if (host.includes(':')) {
    if (!IPV6.test(host)) throw new DashboardUriError(`"${host}" is not an IP address or DNS name`);
    return `[${host}]`;
  }
  if (!HOST_NAME.test(host)) throw new DashboardUriError(`"${host}" is not an IP address or DNS name`);
  return host;
}

/** The URIs, one per host, in order. Throws DashboardUriError on bad input. */
export function dashboardUris(spec: DashboardUriSpec): string[] {
  if (!DID.test(spec.did)) throw new DashboardUriError(`DID "${spec.did}": digits only, E.164 without +, at most 15`);
  if (spec.hosts.length === 0) throw new DashboardUriError('no SBC address to forward to');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    throw new DashboardUriError(`port ${spec.port}: the SBC does not listen on ${spec.transport.toUpperCase()}`);
  }
  const timeoutMs = spec.timeoutMs ?? DASHBOARD_TIMEOUT_DEFAULT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < DASHBOARD_TIMEOUT_MIN_MS || timeoutMs > DASHBOARD_TIMEOUT_MAX_MS) {
    throw new DashboardUriError(`timeout ${timeoutMs} ms: Vonage takes ${DASHBOARD_TIMEOUT_MIN_MS}-${DASHBOARD_TIMEOUT_MAX_MS} ms`);
  }
  if (spec.legacySips && spec.transport !== 'tls') throw new DashboardUriError('a sips: URI means TLS: the transport must be tls');
  const defaultPort = spec.transport === 'tls' ? 5061 : 5060;
  const portPart = spec.port === defaultPort ? '' : `:${spec.port}`;
  const scheme = spec.legacySips ? 'sips' : 'sip';
  const transportParam = spec.legacySips || spec.transport === 'udp' ? '' : `;transport=${spec.transport}`;
  const params = `${transportParam};timeout=${timeoutMs}${spec.srtp ? ';media=srtp' : ''}`;
  return spec.hosts.map((h) => `${scheme}:${spec.did}@${hostForUri(h)}${portPart}${params}`);
}

/** The field's text: the URIs comma-separated (V-IN-1). */
export function dashboardField(spec: DashboardUriSpec): string {
  return dashboardUris(spec).join(',');
}

export interface DashboardUri {
  did: string;
  uris: string[];
  /** Paste this. */
  value: string;
  transport: UriTransport;
  /** Things the admin should know (private address, SRTP without TLS …). */
  notes: string[];
}

export interface DashboardOptions {
  /** Public names/addresses to use instead of the side's (e.g. a DNS name, or a NAT's public IP). */
  hosts?: string[];
  timeoutMs?: number;
  legacySips?: boolean;
  /** Force SRTP on or off; default: the trunk's media.srtp (sdes = on). */
  srtp?: boolean;
}

const PRIVATE_V4 = /^(10\.|127\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/;

/**
 * For the SBC as a whole on one side (normally wan): the URI for a DID
 * whatever route takes it. Transport: the trunk's, else TLS when the side
 * listens on it (the secure default), else UDP, else TCP.
 */
export function dashboardUriForSide(
  doc: ConfigDocument,
  sideName: string,
  did: string,
  options: DashboardOptions = {},
  trunk?: TrunkConfig,
): DashboardUri {
  const side: SideConfig | undefined = doc.sides[sideName];
  if (!side) throw new DashboardUriError(`no side "${sideName}"`);
  const notes: string[] = [];
  let transport: UriTransport = trunk?.transport ?? (side.tls ? 'tls' : side.udp ? 'udp' : 'tcp');
  if (side[transport] === 0) {
    const fallback: UriTransport = side.tls ? 'tls' : side.udp ? 'udp' : 'tcp';
    notes.push(`side ${sideName} does not listen on ${transport.toUpperCase()}: ${fallback.toUpperCase()} used instead`);
    transport = fallback;
  }
  const srtp = options.srtp ?? trunk?.media.srtp === 'sdes';
  if (srtp && transport !== 'tls') notes.push('SRTP keys travel in the SDP: without TLS anyone on the path reads them (use TLS with SRTP)');
  const hosts = options.hosts ?? (side.advertised_address ? [side.advertised_address] : side.addresses);
  if (!options.hosts && !side.advertised_address && hosts.some((h) => PRIVATE_V4.test(h))) {
    notes.push(`side ${sideName} has a private address: set its advertised_address to the public one Vonage reaches`);
  }
  const spec: DashboardUriSpec = {
    did,
    hosts,
    transport,
    port: side[transport],
    srtp,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.legacySips !== undefined ? { legacySips: options.legacySips } : {}),
  };
  const uris = dashboardUris(spec);
  return { did, uris, value: uris.join(','), transport, notes };
}

// "^441234567890$", "^\+?441234567890$", "441234567890" → the number; a
// prefix ("^44") or any other pattern → undefined (the admin names the DID).
export function literalDid(pattern: string): string | undefined {
  return (/^\^(?:\\\+\??|\+\?)?(\d{1,15})\$$/.exec(pattern) ?? /^(\d{1,15})$/.exec(pattern))?.[1];
}

/**
 * For one DID route: its side, the trunk it names in match.from_trunk (for
 * transport and SRTP), and its DID (the literal pattern, or `did` for a
 * route that matches a pattern).
 */
export function dashboardUriForRoute(doc: ConfigDocument, routeName: string, did?: string, options: DashboardOptions = {}): DashboardUri {
  const route = doc.routes.find((r) => r.name === routeName);
  if (!route) throw new DashboardUriError(`no route "${routeName}"`);
  const number = did ?? literalDid(route.match.ruri_user);
  if (number === undefined) {
    throw new DashboardUriError(
      `route "${routeName}" matches ${route.match.ruri_user ? `the pattern ${route.match.ruri_user}` : 'any number'}, not one DID: name the DID`,
    );
  }
  if (route.match.ruri_user && !new RegExp(route.match.ruri_user).test(number)) {
    throw new DashboardUriError(`DID ${number} does not match route "${routeName}" (${route.match.ruri_user})`);
  }
  const trunk = route.match.from_trunk ? doc.trunks.find((t) => t.name === route.match.from_trunk) : undefined;
  return dashboardUriForSide(doc, route.from_side, number, options, trunk);
}
