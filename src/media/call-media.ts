// The seam where a media session attaches to a call. The B2BUA hands every
// SDP that crosses from one leg to the other through a CallMedia; the
// anchored implementation (anchored-media.ts) rewrites it so RTP flows
// through the SBC's own relay ports. PassthroughMedia leaves SDP as it is
// (unit tests of the call logic, and the SIP benchmarks' reference runs).
import type { LatchMode, SrtpMode, TranscodeMode } from '../config/document.js';
import type { LegName } from '../calls/leg.js';

// What the SBC does with media toward one peer of a call.
export interface LegMediaPolicy {
  side: string;
  srtp: SrtpMode;
  latching: LatchMode;
  codecs: string[];
  // Default 'when-needed' (src/media/sdp/negotiate.ts).
  transcode?: TranscodeMode;
  // The trunk or PBX this leg faces, for logs ("" = an unknown peer).
  peer: string;
}

export interface CallMediaContext {
  a: LegMediaPolicy;
  b: LegMediaPolicy;
  // No media for the configured time: the call must end (BYE both legs).
  onTimeout(): void;
}

export interface CallMedia {
  // An SDP offer arrived on `from` and is about to be sent on the other leg.
  offer(from: LegName, sdp: string): Promise<string> | string;
  // The answer to that offer arrived on `from` (the other leg).
  answer(from: LegName, sdp: string): Promise<string> | string;
  close(): void;
  // Per-stream statistics while the call is up ([] when nothing is relayed).
  stats(): Promise<unknown[]>;
}

export interface MediaFactory {
  create(callId: string, ctx: CallMediaContext): CallMedia;
}

// An offer or answer the media layer cannot take: the SIP status to send
// back (488 for SDP we cannot relay, 503 when the box is out of ports).
export class MediaRefusal extends Error {
  constructor(
    readonly status: 488 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'MediaRefusal';
  }
}

export class PassthroughMedia implements CallMedia {
  offer(_from: LegName, sdp: string): string {
    return sdp;
  }
  answer(_from: LegName, sdp: string): string {
    return sdp;
  }
  close(): void {}
  stats(): Promise<unknown[]> {
    return Promise.resolve([]);
  }
}

export const passthroughMediaFactory: MediaFactory = {
  create: () => new PassthroughMedia(),
};
