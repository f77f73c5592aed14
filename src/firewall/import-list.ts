// Imports an address list (e.g. Vonage's current list from its Knowledge
// Base) into the candidate config, from a file or text: one address or
// CIDR block per line, '#' comments and blank lines ignored, or a JSON file
// in the data/vonage/ format. The admin then commits (and the firewall
// applies it, or updates the sets in place when only contents changed).
import { readFileSync } from 'node:fs';
import type { ConfigStore } from '../config/store.js';
import type { Actor } from '../config/audit.js';
import type { ConfigDocument } from '../config/document.js';

export interface ImportListOptions {
  name: string;
  source: string;
  published?: string;
  description?: string;
}

export function parseListText(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const data = JSON.parse(trimmed) as { entries?: unknown };
    if (!Array.isArray(data.entries)) throw new Error('a JSON list needs an "entries" array');
    return data.entries.map(String);
  }
  return trimmed
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

// Validated like any candidate edit: a bad address throws ConfigError with
// the entry's path (/firewall/address_lists/<name>/entries/<i>) and reason.
export function importAddressList(store: ConfigStore, opts: ImportListOptions & ({ file: string } | { text: string }), actor: Actor = {}): ConfigDocument {
  const text = 'file' in opts ? readFileSync(opts.file, 'utf8') : opts.text;
  const entries = parseListText(text);
  return store.patchCandidate(
    {
      firewall: {
        address_lists: {
          [opts.name]: { description: opts.description ?? '', source: opts.source, published: opts.published ?? '', entries },
        },
      },
    },
    actor,
  );
}
