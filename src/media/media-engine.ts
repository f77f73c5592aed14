// The media engine as the application sees it (docs/media-engine.md): relays
// of RTP/RTCP between two legs, run by native worker threads. JavaScript
// creates, updates and closes relays and hears 'timeout' and 'latched'
// events; no packet ever reaches JavaScript.
import { EventEmitter } from 'node:events';
import { nativeMediaEngine, type NativeMediaEngine, type NativeMediaEvent } from './native-media.js';

export type LatchMode = 'off' | 'until-signalled' | 'same-ip';
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';
/** key: 30 bytes, the master key (16) then the master salt (14). */
export interface SrtpKey {
  suite: SrtpSuite;
  key: Buffer;
}
export interface MediaSideSpec {
  name: string;
  ip: string;
  portMin: number;
  portMax: number;
}
export interface MediaEngineOptions {
  /** 0 or undefined = one worker per core. */
  workers?: number;
  /** How often workers check media time-outs (default 100 ms). */
  tickMs?: number;
  sides: MediaSideSpec[];
}
export interface LegAddress {
  ip: string;
  rtpPort: number;
  rtcpPort: number;
}
export interface LegUpdate {
  /** The peer's signalled RTP/RTCP address; null = not known yet (nothing is sent toward it). */
  remote: LegAddress | null;
  /** Default false. */
  rtcpMux?: boolean;
  /** Default 'off'. */
  latch?: LatchMode;
  /** Default true; false = peer on hold/inactive: nothing forwarded to it. */
  send?: boolean;
  /** The peer sends us SRTP with this key. */
  srtpIn?: SrtpKey | null;
  /** We send the peer SRTP with this key. */
  srtpOut?: SrtpKey | null;
  /** 0/undefined = keep SSRCs. */
  ssrc?: number;
  /** Default 8000. */
  clockRate?: number;
  /**
   * The codec this leg negotiated. When both legs give one and they differ
   * (name or clock), the engine transcodes between them; otherwise the
   * packets pass through untouched (docs/media-engine.md, transcoding).
   */
  codec?: StreamCodec | null;
}
export interface StreamCodec {
  /** a=rtpmap encoding name: 'PCMU', 'PCMA', 'G722', 'G729', 'speex', 'opus', 'iLBC'. */
  name: string;
  /** a=rtpmap clock rate. */
  clock: number;
  /** Payload type this peer uses for it. */
  pt: number;
  /** Packet duration we send this peer, ms (default 20). */
  ptime?: number;
  /** a=fmtp parameters of that payload type. */
  fmtp?: string;
  /** telephone-event payload type this peer uses; -1/undefined = none. */
  telephoneEventPt?: number;
  /** Its clock; 0/undefined = the codec's. */
  telephoneEventClock?: number;
}
export interface LegStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  rtcpRx: number;
  rtcpTx: number;
  expected: number;
  lost: number;
  jitterMs: number;
  rttMs: number | null;
  remoteFractionLost: number | null;
  remoteJitterMs: number | null;
  srtpAuthFailures: number;
  srtpReplays: number;
  droppedSource: number;
  droppedOther: number;
  ssrc: number;
  peer: { ip: string; port: number } | null;
  latched: boolean;
  idleMs: number;
  /** What we send this peer is transcoded (our own stream, our own RTCP). */
  transcoded?: boolean;
  /** Transcoding: frames concealed of the stream this peer sends us. */
  concealed?: number;
  /** Transcoding: its packets that came too late for playout. */
  jitterLate?: number;
  /** Transcoding: its jitter buffer's current target delay. */
  playoutDelayMs?: number;
}
export interface RelayStats {
  a: LegStats;
  b: LegStats;
}
export interface MediaCounters {
  relays: number;
  sockets: number;
  packets: number;
  /** Ports (RTP and RTCP) held by relays, per side. */
  portsInUse: Record<string, number>;
}

export type MediaErrorCode = 'ERR_MEDIA_START' | 'ERR_MEDIA_PORTS' | 'ERR_MEDIA_SIDE' | 'ERR_MEDIA_ARG';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly code: MediaErrorCode;
  constructor(code: MediaErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const CODES = new Set<string>(['ERR_MEDIA_START', 'ERR_MEDIA_PORTS', 'ERR_MEDIA_SIDE', 'ERR_MEDIA_ARG']);

/**
 * Native errors carry their code; an error without one came from reading an
 * argument (a throwing getter) or, for start, from loading the addon.
 */
function toMediaError(err: unknown, fallback: MediaErrorCode = 'ERR_MEDIA_ARG'): MediaError {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' && CODES.has(e.code) ? (e.code as MediaErrorCode) : fallback;
  return new MediaError(code, typeof e?.message === 'string' ? e.message : String(err));
}

function call<T>(fn: () => T, fallback?: MediaErrorCode): T {
  try {
    return fn();
  } catch (err) {
    throw toMediaError(err, fallback);
  }
}

export interface MediaEngineEvents {
  /** No RTP accepted on either leg for the relay's timeoutMs (once per updateRelay). */
  timeout: [id: number, idleMs: number];
  /** A leg's peer moved to ip:port (latching); rtcp says which socket. */
  latched: [id: number, leg: 'a' | 'b', rtcp: boolean, ip: string, port: number];
}

export class MediaEngine extends EventEmitter<MediaEngineEvents> {
  readonly #native: NativeMediaEngine;
  readonly #pendingStats = new Map<number, (stats: RelayStats | null) => void>();
  #nextToken = 1;
  #stopped = false;

  private constructor(native: NativeMediaEngine) {
    super();
    this.#native = native;
  }

  /** Starts the workers; throws MediaError ERR_MEDIA_START (bind/thread failure) or ERR_MEDIA_ARG. */
  static start(opts: MediaEngineOptions): MediaEngine {
    const Native = call(nativeMediaEngine, 'ERR_MEDIA_START');
    let engine: MediaEngine | undefined;
    const native = new Native((events) => {
      if (engine) engine.#onEvents(events);
    });
    engine = new MediaEngine(native);
    call(() => native.start(opts));
    return engine;
  }

  /** Replaces the sides for relays created from now on (existing relays keep their ports). */
  setSides(sides: MediaSideSpec[]): void {
    call(() => this.#native.setSides(sides));
  }

  /** Binds an RTP/RTCP port pair on each side. Throws ERR_MEDIA_PORTS / ERR_MEDIA_SIDE. */
  createRelay(sideA: string, sideB: string): { id: number; a: LegAddress; b: LegAddress } {
    return call(() => this.#native.createRelay(sideA, sideB));
  }

  /** timeoutMs 0 = never. An unknown (closed) relay is ignored. */
  updateRelay(id: number, a: LegUpdate, b: LegUpdate, timeoutMs: number): void {
    call(() => this.#native.updateRelay(id, a, b, timeoutMs));
  }

  /** Idempotent; the sockets close and the ports return to their pools on the worker. */
  closeRelay(id: number): void {
    call(() => this.#native.closeRelay(id));
  }

  /** null = no such relay (or the engine is stopped). */
  stats(id: number): Promise<RelayStats | null> {
    if (this.#stopped) return Promise.resolve(null);
    const token = this.#nextToken++;
    return new Promise((resolve, reject) => {
      this.#pendingStats.set(token, resolve);
      try {
        this.#native.requestStats(id, token);
      } catch (err) {
        this.#pendingStats.delete(token);
        reject(toMediaError(err));
      }
    });
  }

  counters(): MediaCounters {
    return this.#native.counters();
  }

  /** Closes every relay and joins the workers. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#native.stop();
    const pending = [...this.#pendingStats.values()];
    this.#pendingStats.clear();
    for (const resolve of pending) resolve(null);
  }

  #onEvents(events: NativeMediaEvent[]): void {
    for (const e of events) {
      try {
        if (e.type === 'stats') {
          const resolve = this.#pendingStats.get(e.token);
          if (resolve) {
            this.#pendingStats.delete(e.token);
            resolve(e.stats);
          }
        } else if (e.type === 'timeout') {
          this.emit('timeout', e.relay, e.idleMs);
        } else if (e.type === 'latched') {
          this.emit('latched', e.relay, e.leg, e.rtcp, e.ip, e.port);
        }
      } catch (err) {
        // A listener that throws must not cost the rest of the batch.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }
}
