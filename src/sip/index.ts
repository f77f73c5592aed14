// The SIP API: typed handles over the native engine.
export { SipEngine } from './engine.js';
export type {
  SipEngineOptions,
  EngineOptions,
  SipEngineEvents,
  SipEngineStats,
  ListenerOptions,
  RequestSpec,
  AddressSpec,
  TransportErrorInfo,
  ListenerFailure,
} from './engine.js';
export { ServerTransaction } from './server-transaction.js';
export type { RespondOptions, ServerTransactionEvents, ServerTransactionState } from './server-transaction.js';
export { ClientTransaction } from './client-transaction.js';
export type { FinalResult, ClientTransactionEvents, ClientTransactionState } from './client-transaction.js';
export { Dialog } from './dialog.js';
export type { DialogEvents, DialogRole, DialogState, DialogEndReason } from './dialog.js';
export { SipRequest, SipResponse } from './message.js';
export type { SourceAddress } from './message.js';
export { Headers, canonicalName } from './headers.js';
export type { HeaderPairs, HeaderList } from './headers.js';
export type { HeaderInput, BodyOptions } from './core.js';
export { parseNameAddr, parseUri, parseCSeq, parseVia, parseParams, parseHostPort, splitCommaList } from './parse.js';
export type { NameAddr, SipUri, CSeq, Via } from './parse.js';
export { SipError, SipErrorCode } from './errors.js';
export { generateSelfSigned } from './certificate.js';
