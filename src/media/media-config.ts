// Reads the media parts of the config document: where each side's media
// sockets live, what goes into SDP c= lines, and the policy toward each
// trunk or PBX. One place, so the daemon, the call controller and the
// tests agree on the fallbacks ("" = the side's own address).
import type { ConfigDocument, PeerMediaConfig } from '../config/document.js';
import type { AnchoredMediaSettings } from './anchored-media.js';
import type { LegMediaPolicy } from './call-media.js';
import type { MediaSideSpec } from './media-engine.js';

export function mediaSidesOf(doc: ConfigDocument): MediaSideSpec[] {
  return Object.entries(doc.sides).map(([name, side]) => ({
    name,
    ip: side.media.address || side.addresses[0]!,
    portMin: side.media.port_min,
    portMax: side.media.port_max,
  }));
}

export function anchoredSettingsOf(doc: ConfigDocument): AnchoredMediaSettings {
  const advertised = new Map<string, string>();
  for (const [name, side] of Object.entries(doc.sides)) {
    advertised.set(name, side.media.advertised_address || side.advertised_address || side.media.address || side.addresses[0]!);
  }
  return { advertised, timeoutMs: doc.media.timeout_s * 1000, holdTimeoutMs: doc.media.hold_timeout_s * 1000 };
}

// A peer we know nothing about: no SRTP offered, and its media address may
// only move to another port of the IP it signalled.
const UNKNOWN_PEER: PeerMediaConfig = { srtp: 'off', latching: 'same-ip', codecs: [], transcode: 'when-needed' };

export type PeerRef = { kind: 'trunk' | 'pbx'; name: string };

export function legPolicy(doc: ConfigDocument, side: string, peer: PeerRef | null): LegMediaPolicy {
  const cfg =
    (peer?.kind === 'trunk'
      ? doc.trunks.find((t) => t.name === peer.name)?.media
      : peer?.kind === 'pbx'
        ? doc.pbxs.find((p) => p.name === peer.name)?.media
        : undefined) ?? UNKNOWN_PEER;
  return { side, srtp: cfg.srtp, latching: cfg.latching, codecs: cfg.codecs, transcode: cfg.transcode, peer: peer?.name ?? '' };
}

// The trunk or PBX on `side` that a request from `ip` came from: matched on
// the configured host (an IP literal; DNS names are matched once issue 5
// resolves endpoint sets).
export function peerBySource(doc: ConfigDocument, side: string, ip: string): PeerRef | null {
  const trunk = doc.trunks.find((t) => t.side === side && t.endpoints.some((e) => e.host === ip));
  if (trunk) return { kind: 'trunk', name: trunk.name };
  const pbx = doc.pbxs.find((p) => p.side === side && p.host === ip);
  if (pbx) return { kind: 'pbx', name: pbx.name };
  return null;
}
