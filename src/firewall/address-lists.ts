// Address lists: the shipped Vonage lists (data/vonage/*.json, versioned
// data with their date and source, V-IN-6/V-IN-7) plus the lists the admin
// imported into the config (firewall.address_lists). A trunk names lists;
// this resolves names to CIDR blocks.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressListConfig, FirewallConfig } from '../config/document.js';
import { parseCidr, type Cidr } from './cidr.js';

export interface AddressList {
  name: string;
  kind: 'signalling' | 'media' | 'any';
  description: string;
  // Date printed on the list (YYYY-MM-DD), '' when it has none.
  published: string;
  // Where it was read.
  source: string;
  builtin: boolean;
  entries: string[];
}

// dist/src/firewall/ -> checkout root.
export const BUILTIN_LIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'vonage');

interface ListFile {
  name: string;
  kind: 'signalling' | 'media';
  description: string;
  published: string | null;
  recorded: string;
  source: string;
  entries: string[];
}

let builtins: Map<string, AddressList> | undefined;

// Read once per process: the files ship with the build and never change under it.
export function builtinLists(dir: string = BUILTIN_LIST_DIR): Map<string, AddressList> {
  if (dir === BUILTIN_LIST_DIR && builtins) return builtins;
  const out = new Map<string, AddressList>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ListFile;
    for (const e of data.entries) {
      const c = parseCidr(e);
      if (typeof c === 'string') throw new Error(`${file}: ${c}`);
    }
    out.set(data.name, {
      name: data.name,
      kind: data.kind,
      description: data.description,
      published: data.published ?? '',
      source: `${data.source} (recorded ${data.recorded})`,
      builtin: true,
      entries: data.entries,
    });
  }
  if (dir === BUILTIN_LIST_DIR) builtins = out;
  return out;
}

export function configList(name: string, l: AddressListConfig): AddressList {
  return { name, kind: 'any', description: l.description, published: l.published, source: l.source, builtin: false, entries: l.entries };
}

// Every list a config can name: built-ins first, then the imported ones.
export function allLists(fw: Pick<FirewallConfig, 'address_lists'>): Map<string, AddressList> {
  const out = new Map(builtinLists());
  for (const [name, l] of Object.entries(fw.address_lists)) out.set(name, configList(name, l));
  return out;
}

// The CIDR blocks of the named lists (all valid: the config was validated).
export function cidrsOf(lists: Map<string, AddressList>, names: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const name of names) {
    const list = lists.get(name);
    if (!list) throw new Error(`unknown address list "${name}"`);
    for (const e of list.entries) {
      const c = parseCidr(e);
      if (typeof c !== 'string') out.push(c);
    }
  }
  return out;
}
