// Codec negotiation across the two legs of a call (issue 6): passthrough
// whenever the two peers can share a codec, transcoding in the media engine
// only when they cannot, or when the answering side's policy forces its own
// codec list (`media.transcode: force`).
//
// Offer X -> Y: the codecs of X's offer that both policies allow, in X's
// order (passthrough). When none is left and X offered something the
// engine can decode, Y is offered Y's own allowed codecs instead, with
// payload types that do not collide with X's; the answer then decides.
// Answer Y -> X: Y chose a codec X offered -> passthrough; else X is
// answered with its own first decodable codec and the engine transcodes.
import type { StreamCodec } from '../media-engine.js';
import { type Codec, allowedCodecs } from './codecs.js';

export type TranscodeMode = 'when-needed' | 'off' | 'force';

/** A payload type in an m= line we write: kept from the source SDP (with its attributes), or written by us. */
export type PlannedPayload = { pt: number } | AddedPayload;
export interface AddedPayload {
  pt: number;
  name: string;
  rate: number;
  channels?: number;
  fmtp?: string;
}

export function isAdded(p: PlannedPayload): p is AddedPayload {
  return 'name' in p;
}

interface Transcodable {
  name: string;
  rate: number;
  channels?: number;
  staticPt?: number;
  // What we write when we offer it (V-OUT-6: G.729 without Annex B).
  fmtp?: string;
}

// What native/codecs/registry.cc builds encoders and decoders for.
const TRANSCODABLE: readonly Transcodable[] = [
  { name: 'PCMU', rate: 8000, staticPt: 0 },
  { name: 'PCMA', rate: 8000, staticPt: 8 },
  { name: 'G722', rate: 8000, staticPt: 9 },
  { name: 'G729', rate: 8000, staticPt: 18, fmtp: 'annexb=no' },
  { name: 'speex', rate: 8000 },
  { name: 'speex', rate: 16000 },
  { name: 'opus', rate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
  { name: 'iLBC', rate: 8000, fmtp: 'mode=20' },
];

const TELEPHONE_EVENT = 'telephone-event';

function isEvent(c: { name: string }): boolean {
  return c.name.toLowerCase() === TELEPHONE_EVENT;
}
function isComfortNoise(c: { name: string }): boolean {
  return c.name.toLowerCase() === 'cn';
}
/** An audio codec (not telephone-event, not comfort noise). */
export function isVoice(c: { name: string }): boolean {
  return !isEvent(c) && !isComfortNoise(c) && c.name !== '';
}

function transcodable(c: { name: string; rate: number }): Transcodable | undefined {
  return TRANSCODABLE.find((t) => t.name.toLowerCase() === c.name.toLowerCase() && t.rate === c.rate);
}

/** The engine can decode and encode this codec. */
export function canTranscode(c: { name: string; rate: number }): boolean {
  return transcodable(c) !== undefined;
}

function sameCodec(a: { name: string; rate: number }, b: { name: string; rate: number }): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.rate === b.rate;
}

// Entries of a policy list ("PCMA", "speex/16000") as the transcodable
// codecs they name, in list order; a bare name names every clock rate.
function listedTranscodable(list: string[]): Transcodable[] {
  const out: Transcodable[] = [];
  for (const entry of list) {
    const [name, rate] = entry.split('/');
    for (const t of TRANSCODABLE) {
      if (t.name.toLowerCase() !== name!.toLowerCase()) continue;
      if (rate !== undefined && Number(rate) !== t.rate) continue;
      if (!out.includes(t)) out.push(t);
    }
  }
  return out;
}

export interface OfferPolicy {
  codecs: string[];
  transcode: TranscodeMode;
}

export interface OfferPlan {
  /** The payload types of the m= line toward Y, in order. */
  payloads: PlannedPayload[];
  /** Y may answer with a codec X did not offer (the engine then transcodes). */
  transcodes: boolean;
}

/**
 * The m= line's payloads toward Y for X's offered codecs, or null when the
 * two cannot be bridged (no codec in common and none the SBC can transcode).
 */
export function planOffer(offered: Codec[], x: OfferPolicy, y: OfferPolicy, transcoding: boolean): OfferPlan | null {
  const allowed = bothAllow(x.codecs, y.codecs);
  const shared = allowedCodecs({ codecs: offered }, allowed);
  const sharedVoice = shared.filter(isVoice);
  const decodable = allowedCodecs({ codecs: offered }, x.codecs.length > 0 ? x.codecs : undefined).filter(canTranscode);
  const mode = transcoding ? y.transcode : 'off';
  const yAllowsEvents = y.codecs.length === 0 || y.codecs.some((c) => c.split('/')[0]!.toLowerCase() === TELEPHONE_EVENT);

  if (mode === 'off' || (mode === 'when-needed' && sharedVoice.length > 0) || decodable.length === 0) {
    if (sharedVoice.length === 0) return null;
    return { payloads: shared.map((c) => ({ pt: c.pt })), transcodes: false };
  }

  // Y's own codecs: X's payload type where X offered the same codec (so
  // the answer may still be a passthrough), a free one otherwise.
  const used = new Set(offered.map((c) => c.pt));
  const payloads: PlannedPayload[] = [];
  for (const t of listedTranscodable(y.codecs)) {
    const same = offered.find((c) => sameCodec(c, t));
    if (same) {
      if (!payloads.some((p) => p.pt === same.pt)) payloads.push({ pt: same.pt });
      continue;
    }
    const pt = t.staticPt !== undefined && !used.has(t.staticPt) ? t.staticPt : freeDynamicPt(used);
    if (pt === null) break;
    used.add(pt);
    payloads.push(added(pt, t));
  }
  if (payloads.length === 0) return null;
  // DTMF: X's telephone-event when Y takes it, else one of ours (the engine regenerates events).
  if (yAllowsEvents) {
    const ev = offered.find((c) => isEvent(c) && c.rate === 8000);
    if (ev) payloads.push({ pt: ev.pt });
    else {
      const pt = freeDynamicPt(used);
      if (pt !== null) payloads.push({ pt, name: TELEPHONE_EVENT, rate: 8000, fmtp: '0-16' });
    }
  }
  return { payloads, transcodes: true };
}

export interface AnswerPlan {
  /** Payloads of the answer toward X (the offerer), in order. */
  payloads: PlannedPayload[];
  /** Codecs for the engine, per leg; null = passthrough. */
  transcode: { x: StreamCodec; y: StreamCodec } | null;
}

/**
 * Given X's offered codecs (and its a=ptime) and Y's answer, what X is
 * answered and whether the engine transcodes. null when Y's answer leaves
 * nothing X can take (the stream is then rejected toward X).
 */
export function settleAnswer(
  offered: Codec[],
  offeredPtime: number | undefined,
  x: OfferPolicy,
  answer: Codec[],
  answerPtime: number | undefined,
): AnswerPlan | null {
  const chosen = answer.find(isVoice);
  if (!chosen || offered.some((c) => c.pt === chosen.pt && sameCodec(c, chosen))) {
    // Passthrough: X is answered with what Y answered, minus what X never offered.
    const payloads = answer.filter((a) => offered.some((c) => c.pt === a.pt)).map((a) => ({ pt: a.pt }));
    return payloads.length > 0 ? { payloads, transcode: null } : null;
  }
  if (!canTranscode(chosen)) return null;
  const mine = allowedCodecs({ codecs: offered }, x.codecs.length > 0 ? x.codecs : undefined).filter(canTranscode)[0];
  if (!mine) return null;
  const xEvent = offered.find((c) => isEvent(c) && c.rate === 8000);
  const yEvent = answer.find((c) => isEvent(c) && c.rate === 8000);
  const payloads: PlannedPayload[] = [asAdded(mine)];
  if (xEvent && yEvent) payloads.push(asAdded(xEvent));
  return {
    payloads,
    transcode: {
      x: streamCodec(mine, offeredPtime, xEvent && yEvent ? xEvent : undefined),
      y: streamCodec(chosen, answerPtime, yEvent),
    },
  };
}

function streamCodec(c: Codec, ptime: number | undefined, event: Codec | undefined): StreamCodec {
  const sc: StreamCodec = { name: c.name, clock: c.rate, pt: c.pt, ptime: validPtime(ptime) };
  if (c.fmtp) sc.fmtp = c.fmtp;
  if (event) {
    sc.telephoneEventPt = event.pt;
    sc.telephoneEventClock = event.rate;
  }
  return sc;
}

// The engine sends 10/20/30/40 ms packets; anything else gets 20.
function validPtime(ptime: number | undefined): number {
  return ptime === 10 || ptime === 20 || ptime === 30 || ptime === 40 ? ptime : 20;
}

function asAdded(c: Codec): AddedPayload {
  const p: AddedPayload = { pt: c.pt, name: c.name, rate: c.rate };
  if (c.channels !== undefined) p.channels = c.channels;
  if (c.fmtp !== undefined) p.fmtp = c.fmtp;
  return p;
}

function added(pt: number, t: Transcodable): AddedPayload {
  const p: AddedPayload = { pt, name: t.name, rate: t.rate };
  if (t.channels !== undefined) p.channels = t.channels;
  if (t.fmtp !== undefined) p.fmtp = t.fmtp;
  return p;
}

function freeDynamicPt(used: Set<number>): number | null {
  for (let pt = 96; pt <= 127; pt++) if (!used.has(pt)) return pt;
  return null;
}

/** The codecs both peers' policies allow ([] on one side = all); undefined = no filter. */
export function bothAllow(x: string[], y: string[]): string[] | undefined {
  if (x.length === 0) return y.length === 0 ? undefined : y;
  if (y.length === 0) return x;
  const name = (c: string) => c.split('/')[0]!.toLowerCase();
  const xs = new Set(x.map(name));
  return y.filter((c) => xs.has(name(c)));
}
