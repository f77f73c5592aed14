// The shape of the addon's MediaEngine handle (native/addon/media_engine_wrap.cc).
// Only src/media/media-engine.ts uses it. The addon is the one the SIP engine
// loads (src/sip/native.ts finds and caches it).
import { loadAddon } from '../sip/native.js';
import type { LegStats, SrtpSuite } from './media-engine.js';

export type NativeMediaEventType = 'timeout' | 'latched' | 'stats';

/** One event of a batch; every key is always present. */
export interface NativeMediaEvent {
  type: NativeMediaEventType;
  relay: number;
  /** stats: the token given to requestStats. */
  token: number;
  leg: 'a' | 'b';
  rtcp: boolean;
  ip: string;
  port: number;
  idleMs: number;
  /** stats: null when the relay does not exist. */
  stats: { a: LegStats; b: LegStats } | null;
}

export interface NativeMediaSide {
  name: string;
  ip: string;
  portMin: number;
  portMax: number;
}

export interface NativeLegAddress {
  ip: string;
  rtpPort: number;
  rtcpPort: number;
}

export interface NativeLegUpdate {
  remote: { ip: string; rtpPort: number; rtcpPort?: number } | null;
  rtcpMux?: boolean;
  latch?: 'off' | 'until-signalled' | 'same-ip';
  send?: boolean;
  srtpIn?: { suite: SrtpSuite; key: Buffer } | null;
  srtpOut?: { suite: SrtpSuite; key: Buffer } | null;
  ssrc?: number;
  clockRate?: number;
}

/**
 * The raw handle. Argument errors are TypeError{code:'ERR_MEDIA_ARG'};
 * start/create failures Error{code:'ERR_MEDIA_START'|'ERR_MEDIA_PORTS'|'ERR_MEDIA_SIDE'}.
 */
export interface NativeMediaEngine {
  start(opts: { workers?: number; tickMs?: number; sides: NativeMediaSide[] }): void;
  stop(): void;
  setSides(sides: NativeMediaSide[]): void;
  createRelay(sideA: string, sideB: string): { id: number; a: NativeLegAddress; b: NativeLegAddress };
  updateRelay(id: number, a: NativeLegUpdate, b: NativeLegUpdate, timeoutMs: number): void;
  closeRelay(id: number): void;
  requestStats(id: number, token: number): void;
  counters(): { relays: number; sockets: number; packets: number; portsInUse: Record<string, number> };
  readonly running: boolean;
}

export type NativeMediaEngineCtor = new (onEvents: (events: NativeMediaEvent[]) => void) => NativeMediaEngine;

/** The addon's MediaEngine class (throws whatever loadAddon throws when the addon is missing). */
export function nativeMediaEngine(): NativeMediaEngineCtor {
  const addon = loadAddon() as unknown as { MediaEngine?: NativeMediaEngineCtor };
  if (!addon.MediaEngine) throw new Error('the native addon has no MediaEngine (rebuild it)');
  return addon.MediaEngine;
}
