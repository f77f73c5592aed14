// SDP for the media engine: read what a peer offers or answers, write what we
// send instead. See docs in each file; MEDIA-API contract.
export { SdpError } from './errors.js';
export { type Codec, allowedCodecs } from './codecs.js';
export {
  type SdesCrypto,
  type SrtpSuite,
  SRTP_SUITES,
  chooseCrypto,
  formatCrypto,
  newCrypto,
  parseCrypto,
} from './crypto.js';
export { type Direction, type MediaDescription, describeSdp, isRtpProto } from './describe.js';
export { SdpOrigin } from './origin.js';
export { type LinePlan, type RewritePlan, rewriteSdp } from './rewrite.js';
export {
  type AnswerPlan,
  type OfferPlan,
  type OfferPolicy,
  type PlannedPayload,
  type TranscodeMode,
  bothAllow,
  canTranscode,
  planOffer,
  settleAnswer,
} from './negotiate.js';
