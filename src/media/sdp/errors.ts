// The one error the SDP module throws for bad input. The B2BUA answers an
// offer whose SDP throws this with 488 Not Acceptable Here.
//
// Messages name the line and what is wrong with it but never quote a line's
// value: an a=crypto line carries a master key, and messages end up in logs.

export class SdpError extends Error {
  override readonly name = 'SdpError';
  readonly code = 'ERR_SDP_INVALID';
}
