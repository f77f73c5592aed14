// Which headers of a request or response cross from one leg to the other.
// Everything not named here stays on its own leg: that is half of topology
// hiding (the native engine writes all routing headers itself, the other
// half). Supported and Require never cross: extensions are negotiated per
// leg (the engine does 100rel/PRACK on each leg itself). Warning never crosses: its agent and free text describe the other
// side's network, and it is a diagnostic for that leg only. X- headers cross so a PBX can reach the Vonage application
// (V-OUT-12); X-Nexmo* would be dropped by Vonage anyway, we pass them as is
// and call control logs a warning naming them once per call (xNexmoHeaders).
import type { HeaderList } from '../sip/index.js';

const CROSSING = new Set([
  'content-type',
  'c',
  'allow',
  'accept',
  'subject',
  's',
  'reason',
  'retry-after',
  'privacy',
  'user-to-user',
]);

export function crossingHeaders(headers: HeaderList, ourHost: string): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (CROSSING.has(lower) || lower.startsWith('x-')) {
      out.push([name, value]);
    } else if (lower === 'p-asserted-identity') {
      out.push([name, value.replace(/(<sips?:[^@>]+@)[^>;:]+(:\d+)?/gi, `$1${ourHost}`)]);
    }
  }
  return out;
}

/**
 * Names of the X-Nexmo* headers in a list: Vonage does not deliver them to
 * the application (V-OUT-12), so a PBX sending them is told in the log.
 */
export function xNexmoHeaders(headers: HeaderList): string[] {
  return headers.filter(([name]) => name.toLowerCase().startsWith('x-nexmo')).map(([name]) => name);
}
