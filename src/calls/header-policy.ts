// Which headers of a request or response cross from one leg to the other.
// Everything not named here stays on its own leg: that is half of topology
// hiding (the native engine writes all routing headers itself, the other
// half). X- headers cross so a PBX can reach the Vonage application
// (V-OUT-12); X-Nexmo* would be dropped by Vonage anyway, we pass them as is.
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
  'warning',
  'p-asserted-identity',
  'privacy',
  'user-to-user',
]);

// Options tags we support per leg; anything else is dropped from Supported
// so we never promise the far side an extension we don't implement.
const SUPPORTED_TAGS = new Set(['100rel', 'timer', 'replaces']);

export function crossingHeaders(headers: HeaderList): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (CROSSING.has(lower) || lower.startsWith('x-')) {
      out.push([name, value]);
    } else if (lower === 'supported' || lower === 'k') {
      const tags = value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => SUPPORTED_TAGS.has(t.toLowerCase()));
      if (tags.length) out.push(['Supported', tags.join(', ')]);
    }
  }
  return out;
}
