// The seam where a media session attaches to a call. The B2BUA hands every
// SDP that crosses from one leg to the other through a CallMedia; the media
// engine (native/media, next issue) will rewrite addresses and anchor RTP
// here. Until then PassthroughMedia leaves the SDP as it is.
import type { LegName } from '../calls/leg.js';

export interface CallMedia {
  // An SDP offer arrived on `from` and is about to be sent on the other leg.
  offer(from: LegName, sdp: string): Promise<string> | string;
  // The answer to that offer arrived on `from` (the other leg).
  answer(from: LegName, sdp: string): Promise<string> | string;
  close(): void;
}

export interface MediaFactory {
  create(callId: string): CallMedia;
}

export class PassthroughMedia implements CallMedia {
  offer(_from: LegName, sdp: string): string {
    return sdp;
  }
  answer(_from: LegName, sdp: string): string {
    return sdp;
  }
  close(): void {}
}

export const passthroughMediaFactory: MediaFactory = {
  create: () => new PassthroughMedia(),
};
