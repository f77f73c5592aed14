// Errors of the SIP API. Every error carries a stable `code`; errors that
// stand for a SIP failure also carry the status and reason.

export const SipErrorCode = {
  /** An argument failed validation (also thrown by the native addon as a TypeError). */
  InvalidArg: 'ERR_INVALID_ARG',
  /** A listener could not be opened when the engine started. */
  Listen: 'ERR_SIP_LISTEN',
  /** The engine is closed (or was never started). */
  Stopped: 'ERR_SIP_STOPPED',
  /** The engine was started twice or used in the wrong state. */
  State: 'ERR_SIP_STATE',
  /** A final response was already sent on this server transaction. */
  TxnFinal: 'ERR_TXN_FINAL',
  /** The dialog is destroyed. */
  DialogGone: 'ERR_DIALOG_GONE',
  /** The native addon could not be loaded (not built?). */
  AddonLoad: 'ERR_ADDON_LOAD',
  /** A TLS certificate could not be generated. */
  TlsCert: 'ERR_TLS_CERT',
} as const;

export type SipErrorCode = (typeof SipErrorCode)[keyof typeof SipErrorCode];

export class SipError extends Error {
  override readonly name = 'SipError';
  readonly code: SipErrorCode | string;
  /** SIP status when the error stands for a SIP response (0 otherwise). */
  readonly status: number;
  readonly reason: string;

  constructor(code: SipErrorCode | string, message: string, status = 0, reason = '') {
    super(message);
    this.code = code;
    this.status = status;
    this.reason = reason;
  }
}

/** Gives a native error a SipError shape while keeping its code and message. */
export function fromNativeError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof Error && typeof code === 'string') {
    if (err instanceof TypeError) return err; // argument errors stay TypeErrors
    return new SipError(code, err.message);
  }
  return err;
}
