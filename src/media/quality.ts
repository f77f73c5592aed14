// A call-quality estimate for the per-call media stats line: the E-model's
// transmission rating R and the MOS it maps to (ITU-T G.107), in the
// simplified form commonly applied to VoIP monitoring, where everything but
// delay and codec/loss impairment stays at G.107's defaults:
//
//   R   = 93.2 - Id - Ie_eff                       (93.2 = Ro - Is at the defaults)
//   Id  = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)  (Cole & Rosenbluth, "Voice over IP
//         performance monitoring", ACM SIGCOMM CCR 31(2), 2001: a fit of G.107's Id
//         for a connection without echo; d = one-way mouth-to-ear delay in ms, H = step)
//   Ie_eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)   (G.107's Ie,eff; BurstR = 1: random loss)
//   MOS = 1 + 0.035 R + R (R - 60) (100 - R) 7e-6  (G.107 Annex B), 1 below R 0, 4.5 above 100
//
// The one-way delay is what we can see from the SBC: half the RTCP round
// trip plus a jitter-buffer estimate of twice the interarrival jitter (the
// depth adaptive buffers typically settle at). It leaves out codec and
// packetization delay, so "no delay" reads R 93.2 / MOS 4.41.

export interface QualityInput {
  rttMs: number | null;   // RTCP round trip; null = not measured (only the jitter buffer counts)
  jitterMs: number;       // RFC 3550 interarrival jitter
  lossFraction: number;   // 0..1 (negative, from duplicates, reads as 0)
  codec?: string;         // encoding name ("PCMU", "G729", "PCMA/8000"); unknown or absent: G.711
}

export interface Quality {
  r: number;    // 0..100, one decimal
  mos: number;  // 1..4.5, two decimals
}

export interface CodecImpairment {
  ie: number;   // equipment impairment factor
  bpl: number;  // packet-loss robustness factor (random loss)
}

// Provisional planning values for Ie and Bpl of ITU-T G.113 Appendix I.
// G.711 is taken with packet-loss concealment (G.711 Appendix I, Bpl 25.1):
// the PBXs and phones we relay for conceal losses; without PLC G.113 gives
// Bpl 4.3, which would make 5 % loss read R 42 instead of 77.
const G711_PLC: CodecImpairment = { ie: 0, bpl: 25.1 };
const G729A_VAD: CodecImpairment = { ie: 11, bpl: 19.0 };  // G.729A + VAD (Annex B)
const G723_1_VAD: CodecImpairment = { ie: 15, bpl: 16.1 }; // G.723.1 6.3 kbit/s + VAD
const GSM_EFR: CodecImpairment = { ie: 5, bpl: 10.0 };     // GSM 06.60 enhanced full rate

// By upper-case encoding name. Wideband codecs (G722, opus) have no values on
// G.107's narrowband scale; they fall back to G.711, which they are at least as good as.
export const CODEC_IMPAIRMENTS: Readonly<Record<string, CodecImpairment>> = {
  PCMU: G711_PLC,
  PCMA: G711_PLC,
  G711: G711_PLC,
  G729: G729A_VAD,
  G729A: G729A_VAD,
  G729B: G729A_VAD,
  G729AB: G729A_VAD,
  G723: G723_1_VAD,
  'GSM-EFR': GSM_EFR,
};

export function codecImpairment(codec: string | undefined): CodecImpairment {
  if (codec === undefined) return G711_PLC;
  const name = codec.split('/')[0]!.trim().toUpperCase();
  return CODEC_IMPAIRMENTS[name] ?? G711_PLC;
}

// G.107 Annex B, with R clamped to 0..100 and the result to 1..4.5 (the
// cubic dips just under 1 for R below about 6.5).
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
  return Math.min(4.5, Math.max(1, mos));
}

function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`qualityOf: ${name} must be a finite number, got ${value}`);
  return value;
}

export function qualityOf(input: QualityInput): Quality {
  const rtt = input.rttMs === null ? 0 : Math.max(0, finite('rttMs', input.rttMs));
  const jitter = Math.max(0, finite('jitterMs', input.jitterMs));
  const loss = Math.min(1, Math.max(0, finite('lossFraction', input.lossFraction)));

  const oneWayMs = rtt / 2 + 2 * jitter;
  const id = 0.024 * oneWayMs + (oneWayMs > 177.3 ? 0.11 * (oneWayMs - 177.3) : 0);

  const { ie, bpl } = codecImpairment(input.codec);
  const ppl = loss * 100;
  const ieEff = ie + ((95 - ie) * ppl) / (ppl + bpl);

  const r = Math.min(100, Math.max(0, 93.2 - id - ieEff));
  return { r: Math.round(r * 10) / 10, mos: Math.round(mosFromR(r) * 100) / 100 };
}
