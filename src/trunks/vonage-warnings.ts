// What a valid Vonage trunk may still get wrong about media and headers
// (config warnings, src/config/warnings.ts): codecs Vonage does not take
// (V-OUT-6), no telephone-event for DTMF (V-OUT-7), and header rules that add
// X-Nexmo* headers, which Vonage does not deliver to the application (V-OUT-12).
import type { TrunkConfig } from '../config/document.js';
import type { ConfigProblem } from '../config/errors.js';
import { vonageCodecList } from './codec-lists.js';

const codecName = (c: string) => c.split('/')[0]!.toLowerCase();

export function vonageTrunkWarnings(t: TrunkConfig, index: number): ConfigProblem[] {
  if (t.kind !== 'vonage') return [];
  const out: ConfigProblem[] = [];
  const list = vonageCodecList().codecs;
  const known = new Set(list.map((c) => c.toLowerCase()));
  const knownNames = new Set(list.map(codecName));
  const codecs = t.media.codecs;
  const foreign = codecs.filter((c) => !known.has(c.toLowerCase()) && !(c.indexOf('/') < 0 && knownNames.has(codecName(c))));
  if (foreign.length > 0) {
    out.push({
      path: `/trunks/${index}/media/codecs`,
      message: `Vonage does not take ${foreign.join(', ')}; it takes ${list.join(', ')} (V-OUT-6)`,
    });
  }
  if (codecs.length > 0 && !codecs.some((c) => codecName(c) === 'telephone-event')) {
    out.push({
      path: `/trunks/${index}/media/codecs`,
      message: 'no telephone-event: DTMF reaches Vonage only as RFC 2833/4733 telephone-events (V-OUT-7)',
    });
  }
  t.header_rules.forEach((r, j) => {
    if (r.action === 'add' && r.name.toLowerCase().startsWith('x-nexmo')) {
      out.push({
        path: `/trunks/${index}/header_rules/${j}/name`,
        message: `${r.name}: Vonage does not deliver X-Nexmo headers to the application (V-OUT-12)`,
      });
    }
  });
  return out;
}
