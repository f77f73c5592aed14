// Loads the sample SDPs of test/fixtures/sdp (stored with LF) as a peer sends
// them: CRLF line endings. Not a test file itself.
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../../../test/fixtures/sdp/', import.meta.url);

export function sample(name: string, lineEnding: '\r\n' | '\n' = '\r\n'): string {
  const text = readFileSync(new URL(`${name}.sdp`, FIXTURES), 'utf8');
  return text.replace(/\r?\n/g, lineEnding);
}

/** The lines of an SDP we wrote, checking that every line ends with CRLF and nothing else does. */
export function crlfLines(sdp: string): string[] {
  if (!sdp.endsWith('\r\n')) throw new Error('SDP does not end with CRLF');
  const body = sdp.slice(0, -2);
  if (/\r(?!\n)|(?<!\r)\n/.test(body)) throw new Error('SDP has a bare CR or LF');
  return body.split('\r\n');
}

// Keys of the Vonage-like sample, as bytes.
export const VONAGE_KEY_80 = Buffer.from(Array.from({ length: 30 }, (_, i) => i * 7 + 1));
export const VONAGE_KEY_32 = Buffer.from(Array.from({ length: 30 }, (_, i) => 255 - i * 5));
