// Self-signed certificate for TLS listeners when none is configured
// (Vonage does not validate the SBC's certificate, V-OUT-9).
import { SipError, SipErrorCode } from './errors.js';
import { loadAddon } from './native.js';

/** Writes a fresh EC P-256 certificate and key (PEM, 10 years, CN=commonName). */
export function generateSelfSigned(certFile: string, keyFile: string, commonName: string): void {
  try {
    loadAddon().generateSelfSigned(certFile, keyFile, commonName);
  } catch (err) {
    if (err instanceof SipError || err instanceof TypeError) throw err;
    throw new SipError(SipErrorCode.TlsCert, (err as Error).message);
  }
}
