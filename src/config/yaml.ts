// Text forms of the document. Export is canonical: the same document always
// gives the same bytes, and importing an export then exporting again gives
// those bytes back.
import { parse, stringify } from 'yaml';
import type { TextFormat } from './document.js';
import { ConfigError } from './errors.js';

export function parseText(text: string, format: TextFormat): unknown {
  try {
    if (format === 'json') return JSON.parse(text) as unknown;
    // YAML 1.2 core schema: "on"/"yes" stay strings; duplicate keys are errors.
    return parse(text, { uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new ConfigError([{ path: '', message: `${format.toUpperCase()} syntax error: ${(err as Error).message}` }]);
  }
}

export function formatText(doc: unknown, format: TextFormat): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // lineWidth 0: never fold long strings (regexes), so lines stay greppable.
  return stringify(doc, { lineWidth: 0, indent: 2 });
}
