// Media anchoring for one call: every m= line gets a relay in the native
// media engine (one RTP/RTCP pair on each leg's side), and every SDP that
// crosses is rewritten so each peer sees only the SBC's media address on
// its own side. SRTP is per leg: a leg whose policy says `sdes` is offered
// RTP/SAVP with our key; an offer arriving with a=crypto is answered with
// our own key of the same suite; the relay decrypts and re-encrypts between
// the two (RTP <-> SRTP, V-OUT-10, V-IN-5). No packet touches JavaScript.
import { isIP } from 'node:net';

import type { LegName } from '../calls/leg.js';
import { otherLeg } from '../calls/leg.js';
import type { Logger } from '../log.js';
import { type CallMedia, type CallMediaContext, type LegMediaPolicy, MediaRefusal } from './call-media.js';
import type { LegAddress, LegStats, LegUpdate, MediaEngine, RelayStats, SrtpKey, StreamCodec } from './media-engine.js';
import { MediaError } from './media-engine.js';
import { qualityOf } from './quality.js';
import {
  type Codec,
  type MediaDescription,
  type OfferPolicy,
  type SdesCrypto,
  SdpError,
  SdpOrigin,
  type LinePlan,
  chooseCrypto,
  describeSdp,
  newCrypto,
  planOffer,
  rewriteSdp,
  settleAnswer,
} from './sdp/index.js';

export interface AnchoredMediaSettings {
  // Address written in SDP c= lines, per side name.
  advertised: ReadonlyMap<string, string>;
  timeoutMs: number;
  holdTimeoutMs: number; // 0 = held calls never time out
}

// What one leg's peer last told us in its SDP for one stream.
interface PeerState {
  remote: LegAddress | null;
  receives: boolean; // it wants media (not sendonly/inactive/0.0.0.0)
  held: boolean;
  rtcpMux: boolean;
  clockRate: number;
}

interface Stream {
  index: number;
  relay: number; // 0 = not relayed (rejected or not RTP over UDP)
  audio: boolean;
  local: Record<LegName, LegAddress> | null;
  peer: Record<LegName, PeerState | null>;
  keyIn: Record<LegName, SdesCrypto | null>; // what that leg's peer encrypts with
  keyOut: Record<LegName, SdesCrypto | null>; // what we encrypt with toward that leg
  offeredKey: SdesCrypto | null; // our key in the offer now outstanding
  offered: { codecs: Codec[]; ptime: number | undefined } | null; // the outstanding offer's codecs, as its sender wrote them
  transcode: Record<LegName, StreamCodec> | null; // null = passthrough
  codec: string; // what is being sent: the answer's first codec, or "X>Y" (caller's leg > callee's) when transcoded
}

export interface StreamStats {
  index: number; // m= line
  codec: string;
  a: LegStats | null; // the caller's leg; null when the engine did not answer
  b: LegStats | null;
  mos: { a: number; b: number } | null;
}

interface Registry {
  register(relay: number, media: AnchoredMedia): void;
  unregister(relay: number): void;
  // A peer's SDP named its media address for our ports on `side` (the
  // firewall's signalled-peers policy opens exactly that, src/firewall/).
  signalled?(side: string, ip: string, localPorts: number[]): void;
}

const STATS_WAIT_MS = 1000;

export class AnchoredMedia implements CallMedia {
  private readonly streams: Stream[] = [];
  private readonly origin: Record<LegName, SdpOrigin>;
  private closed = false;
  private timedOut = false;

  constructor(
    private readonly callId: string,
    private readonly ctx: CallMediaContext,
    private readonly engine: MediaEngine,
    private readonly settings: AnchoredMediaSettings,
    private readonly log: Logger,
    private readonly registry: Registry,
  ) {
    this.origin = { a: new SdpOrigin(this.advertised('a')), b: new SdpOrigin(this.advertised('b')) };
  }

  offer(from: LegName, sdp: string): string {
    const desc = this.describe(sdp, from, 'offer');
    const to = otherLeg(from);
    const policy = this.policy(to);
    const lines: LinePlan[] = desc.map((m) => {
      const s = this.streamFor(m);
      // Passthrough when the peers' policies share a codec, else Y's codecs and the engine transcodes (negotiate.ts).
      const plan = s.relay === 0 || m.rejected ? null : planOffer(m.codecs, offerPolicy(this.policy(from)), offerPolicy(policy), true);
      if (!plan) {
        if (s.relay !== 0) s.peer[from] = null;
        s.offered = null;
        return REJECT;
      }
      s.offered = { codecs: m.codecs, ptime: m.ptime };
      s.peer[from] = peerState(m, s.peer[from]);
      s.keyIn[from] = m.crypto.length > 0 ? chooseCrypto(m.crypto) : null;
      // A fresh key for every offer we make (RFC 4568 §7.1.4: new keys on re-INVITE).
      s.offeredKey = policy.srtp === 'sdes' ? newCrypto(s.keyIn[from]?.suite ?? 'AES_CM_128_HMAC_SHA1_80', 1) : null;
      const local = s.local![to];
      return { port: local.rtpPort, rtcpPort: local.rtcpPort, rtcpMux: m.rtcpMux, crypto: s.offeredKey, payloads: plan.payloads };
    });
    if (lines.every((l) => l.port === 0)) {
      throw new MediaRefusal(488, 'no media stream the SBC can relay (or no codec in common and none the SBC can transcode)');
    }
    this.push();
    return rewriteSdp(sdp, { address: this.advertised(to), lines }, this.origin[to]);
  }

  answer(from: LegName, sdp: string): string {
    const desc = this.describe(sdp, from, 'answer');
    const to = otherLeg(from); // the offerer
    const lines: LinePlan[] = this.streams.map((s, i) => {
      const m = desc[i];
      const settled = s.relay === 0 || !m || m.rejected || s.peer[to] === null || !s.offered
        ? null
        : settleAnswer(s.offered.codecs, s.offered.ptime, offerPolicy(this.policy(to)), m.codecs, m.ptime);
      // s.offered stays: a 183's answer may be followed by the 200's (early media).
      if (!settled || !m) {
        s.peer[from] = null;
        return REJECT;
      }
      s.peer[from] = peerState(m, s.peer[from]);
      this.settleCodecs(s, to, settled.transcode, m.codecs[0]?.name ?? '');
      // The answerer encrypts with the key of its answer, and takes ours
      // only if it accepted SRTP at all.
      const theirs = m.crypto.find((c) => c.tag === s.offeredKey?.tag) ?? m.crypto[0] ?? null;
      s.keyIn[from] = s.offeredKey ? theirs : null;
      s.keyOut[from] = theirs ? s.offeredKey : null;
      if (s.offeredKey && !theirs) {
        this.log.warn({ call: this.callId, leg: from, stream: i }, 'peer answered our SRTP offer without a=crypto: plain RTP on that leg');
      }
      s.offeredKey = null;
      const offererKey = s.keyIn[to];
      s.keyOut[to] = offererKey ? newCrypto(offererKey.suite, offererKey.tag) : null;
      const local = s.local![to];
      return { port: local.rtpPort, rtcpPort: local.rtcpPort, rtcpMux: s.peer[to]!.rtcpMux, crypto: s.keyOut[to], payloads: settled.payloads };
    });
    this.push();
    return rewriteSdp(sdp, { address: this.advertised(to), lines }, this.origin[to]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const relayed = this.streams.filter((s) => s.relay !== 0);
    if (relayed.length === 0) return;
    void this.finalStats(relayed).finally(() => {
      for (const s of relayed) {
        this.engine.closeRelay(s.relay);
        this.registry.unregister(s.relay);
      }
    });
  }

  // The engine saw no RTP on either leg of an audio stream for too long.
  onRelayTimeout(relay: number, idleMs: number): void {
    if (this.closed || this.timedOut) return;
    this.timedOut = true;
    this.log.warn({ call: this.callId, relay, idleMs }, 'call media timeout');
    this.ctx.onTimeout();
  }

  onLatched(relay: number, leg: LegName, rtcp: boolean, ip: string, port: number): void {
    const stream = this.streams.find((s) => s.relay === relay)?.index;
    this.log.info({ call: this.callId, stream, leg, rtcp, peer: `${ip}:${port}` }, 'media latched');
  }

  // ---- internals ----------------------------------------------------------

  private policy(leg: LegName): LegMediaPolicy {
    return leg === 'a' ? this.ctx.a : this.ctx.b;
  }

  private advertised(leg: LegName): string {
    const side = this.policy(leg).side;
    return this.settings.advertised.get(side) ?? '0.0.0.0';
  }

  private describe(sdp: string, from: LegName, what: string): MediaDescription[] {
    try {
      return describeSdp(sdp).media;
    } catch (err) {
      if (err instanceof SdpError) {
        this.log.warn({ call: this.callId, leg: from, err: err.message }, `unusable SDP ${what}`);
        throw new MediaRefusal(488, `SDP ${what}: ${err.message}`);
      }
      throw err;
    }
  }

  private streamFor(m: MediaDescription): Stream {
    const existing = this.streams[m.index];
    if (existing) return existing;
    const s: Stream = {
      index: m.index,
      relay: 0,
      audio: m.type === 'audio',
      local: null,
      peer: { a: null, b: null },
      keyIn: { a: null, b: null },
      keyOut: { a: null, b: null },
      offeredKey: null,
      offered: null,
      transcode: null,
      codec: '',
    };
    if (m.relayable && !m.rejected && !this.closed) {
      try {
        const r = this.engine.createRelay(this.ctx.a.side, this.ctx.b.side);
        s.relay = r.id;
        s.local = { a: r.a, b: r.b };
        this.registry.register(r.id, this);
      } catch (err) {
        if (err instanceof MediaError) {
          this.log.error({ call: this.callId, err: err.message, code: err.code }, 'no media relay for the call');
          throw new MediaRefusal(503, err.message);
        }
        throw err;
      }
    }
    this.streams[m.index] = s;
    return s;
  }

  private push(): void {
    const held = this.streams.some((s) => s.peer.a?.held || s.peer.b?.held);
    const timeoutMs = held ? this.settings.holdTimeoutMs : this.settings.timeoutMs;
    for (const s of this.streams) {
      if (s.relay === 0) continue;
      this.engine.updateRelay(s.relay, this.legUpdate(s, 'a'), this.legUpdate(s, 'b'), s.audio ? timeoutMs : 0);
      for (const leg of ['a', 'b'] as const) {
        const remote = s.peer[leg]?.remote;
        const local = s.local?.[leg];
        if (remote && local) this.registry.signalled?.(this.policy(leg).side, remote.ip, [...new Set([local.rtpPort, local.rtcpPort])]);
      }
    }
  }

  private legUpdate(s: Stream, leg: LegName): LegUpdate {
    const p = s.peer[leg];
    return {
      remote: p?.remote ?? null,
      rtcpMux: p?.rtcpMux ?? false,
      latch: this.policy(leg).latching,
      send: p?.receives ?? false,
      srtpIn: keyOf(s.keyIn[leg]),
      srtpOut: keyOf(s.keyOut[leg]),
      clockRate: p?.clockRate ?? 8000,
      codec: s.transcode?.[leg] ?? null,
    };
  }

  // The answer decided passthrough or transcoding for a stream (`offerer` is X).
  private settleCodecs(s: Stream, offerer: LegName, codecs: { x: StreamCodec; y: StreamCodec } | null, answered: string): void {
    const next = codecs ? ({ [offerer]: codecs.x, [otherLeg(offerer)]: codecs.y } as Record<LegName, StreamCodec>) : null;
    const label = next ? `${next.a.name}>${next.b.name}` : answered;
    if (next && label !== s.codec) {
      this.log.info({ call: this.callId, stream: s.index, a: next.a, b: next.b }, 'media transcoding');
    }
    s.transcode = next;
    s.codec = label;
  }

  // Live per-leg statistics of every relayed stream (the admin API's
  // "calls in progress"), and what the call logs when it ends.
  async stats(): Promise<StreamStats[]> {
    return this.collect(this.streams.filter((s) => s.relay !== 0));
  }

  private async collect(relayed: Stream[]): Promise<StreamStats[]> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), STATS_WAIT_MS).unref());
    const all = await Promise.all(
      relayed.map((s) => Promise.race([this.engine.stats(s.relay).catch(() => null), timeout])),
    );
    return relayed.map((s, i) => {
      const st: RelayStats | null = all[i] ?? null;
      const codec = s.codec;
      if (!st) return { index: s.index, codec, a: null, b: null, mos: null };
      const legCodec = (leg: LegName): string => s.transcode?.[leg].name ?? codec;
      return { index: s.index, codec, a: st.a, b: st.b, mos: { a: mosOf(st.a, legCodec('a')), b: mosOf(st.b, legCodec('b')) } };
    });
  }

  private async finalStats(relayed: Stream[]): Promise<void> {
    const streams = await this.collect(relayed);
    this.log.info({ call: this.callId, streams }, 'call media stats');
  }
}

function offerPolicy(p: LegMediaPolicy): OfferPolicy {
  return { codecs: p.codecs, transcode: p.transcode ?? 'when-needed' };
}

const REJECT: LinePlan = { port: 0, rtcpPort: 0, rtcpMux: false, crypto: null };

function peerState(m: MediaDescription, before: PeerState | null): PeerState {
  // An RFC 2543 hold (c=0.0.0.0) says "do not send", not "I moved": keep
  // the old address so the latch is not reset by the hold.
  const holdAddress = m.address === '0.0.0.0' || m.address === '::';
  // A host name in c= (RFC 4566 allows it) is not resolved on the media
  // path: the leg learns the address from the packets, if latching allows.
  const usable = !holdAddress && m.port !== 0 && isIP(m.address) !== 0;
  const first = m.codecs[0];
  return {
    remote: usable
      ? { ip: m.address, rtpPort: m.port, rtcpPort: m.rtcpMux ? m.port : m.rtcpPort }
      : holdAddress
        ? (before?.remote ?? null)
        : null,
    receives: !holdAddress && m.port !== 0 && (m.direction === 'sendrecv' || m.direction === 'recvonly'),
    held: m.held,
    rtcpMux: m.rtcpMux,
    clockRate: first?.rate || 8000, // an rtpmap without a rate (RFC 4475 esc01) says 0
  };
}

function keyOf(c: SdesCrypto | null): SrtpKey | null {
  return c ? { suite: c.suite, key: c.key } : null;
}

function mosOf(leg: RelayStats['a'], codec: string): number {
  const lossFraction = leg.expected > 0 ? Math.max(0, leg.lost) / leg.expected : 0;
  return qualityOf({ rttMs: leg.rttMs, jitterMs: leg.jitterMs, lossFraction, codec }).mos;
}

export class AnchoredMediaFactory {
  private readonly byRelay = new Map<number, AnchoredMedia>();
  private peerHook: ((side: string, ip: string, localPorts: number[]) => void) | undefined;
  private readonly registry: Registry = {
    register: (relay, media) => this.byRelay.set(relay, media),
    unregister: (relay) => this.byRelay.delete(relay),
    signalled: (side, ip, ports) => {
      try {
        this.peerHook?.(side, ip, ports);
      } catch (err) {
        this.log.error({ err }, 'media peer hook failed');
      }
    },
  };

  constructor(
    private readonly engine: MediaEngine,
    private settings: AnchoredMediaSettings,
    private readonly log: Logger,
  ) {
    engine.on('timeout', (relay: number, idleMs: number) => this.byRelay.get(relay)?.onRelayTimeout(relay, idleMs));
    engine.on('latched', (relay: number, leg: LegName, rtcp: boolean, ip: string, port: number) =>
      this.byRelay.get(relay)?.onLatched(relay, leg, rtcp, ip, port),
    );
  }

  // Told each media address a peer signals, with our ports it will send to.
  onPeerSignalled(hook: (side: string, ip: string, localPorts: number[]) => void): void {
    this.peerHook = hook;
  }

  // A new running config: calls created from now on use it.
  setSettings(settings: AnchoredMediaSettings): void {
    this.settings = settings;
  }

  get relays(): number {
    return this.byRelay.size;
  }

  // Resolves once every ended call has logged its stats and closed its
  // relays (or after `maxMs`): shutdown waits for it.
  async settled(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (this.byRelay.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  create(callId: string, ctx: CallMediaContext): AnchoredMedia {
    return new AnchoredMedia(callId, ctx, this.engine, this.settings, this.log, this.registry);
  }
}
