// The config document as a tree of words, read from the document's JSON
// Schema (src/config/schema/ — the same schema the store and the API
// validate with): `set`, `delete`, tab completion and help all walk it, so
// a field added to a schema is in the CLI with no change here.
//
//   object      its property names                 system name edge1
//   map         (sides) keys by name               sides lan udp 5060
//   named list  (trunks, pbxs, …) items by name    trunks vonage region eu
//   list        (endpoints) items by index         trunks vonage endpoints 0 host 203.0.113.5
//   leaf        one value                          … api_key abc
//   leaf list   every word after it is a value     sides lan addresses 192.0.2.10 192.0.2.11
//
// After a leaf's value, more "field value" pairs of the same object may
// follow: `set trunks t2 kind vonage region eu api_key abc`.
import { documentSchema } from '../config/schema/index.js';
import { refused } from './errors.js';

export type SchemaNode = {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: { pattern?: string };
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  maxProperties?: number;
  writeOnly?: boolean;
};

export const ROOT = documentSchema as unknown as SchemaNode;

export type Kind = 'object' | 'map' | 'named-list' | 'list' | 'leaf-list' | 'leaf';

// `topLevel`: the node is a field of the document itself. Only there are
// lists of objects collections named by their `name` (trunks, pbxs, routes,
// sip_domains: unique names, as in the API's /config/{collection}/{name});
// deeper lists are ordered and named by index, even where an item has a
// `name` field that need not be unique (a trunk's header_rules).
export function kindOf(node: SchemaNode, topLevel = false): Kind {
  if (node.type === 'object') {
    return typeof node.additionalProperties === 'object' ? 'map' : 'object';
  }
  if (node.type === 'array') {
    const items = node.items;
    if (items?.type === 'object') return topLevel && items.properties?.name ? 'named-list' : 'list';
    return 'leaf-list';
  }
  return 'leaf';
}

const isContainer = (k: Kind): boolean => k !== 'leaf' && k !== 'leaf-list';

// A field of the document itself ("/trunks"), by its JSON Pointer.
const isTopField = (ptr: string): boolean => /^\/[^/]+$/.test(ptr);

type Obj = Record<string, unknown>;

// Where a walk stopped.
export type Place =
  | { at: 'container'; node: SchemaNode; value: unknown; parent: unknown; key: string | number | undefined; ptr: string; via?: Kind }
  | { at: 'leaf'; node: SchemaNode; parent: Obj; key: string; ptr: string; owner: SchemaNode };

export interface WalkOptions {
  // Create missing objects and items on the way (set), or not (delete, completion).
  create: boolean;
  // Called when a leaf is reached; returns how many of the following words it took.
  onLeaf?: (leaf: Extract<Place, { at: 'leaf' }>, rest: string[]) => number;
  // Completion: do not throw on an unknown word; stop there.
  lenient?: boolean;
}

export interface WalkResult {
  place: Place;
  // Words not consumed (only with lenient, or when a container ran out of words).
  rest: string[];
  // The last object whose leaf took a value (where "field value" pairs continue).
  frame: Extract<Place, { at: 'container' }> | undefined;
}

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

function fieldsOf(node: SchemaNode): string {
  return Object.keys(node.properties ?? {}).join(', ');
}

function named(list: unknown): Obj[] {
  return Array.isArray(list) ? (list as Obj[]) : [];
}

function emptyFor(node: SchemaNode): unknown {
  return node.type === 'array' ? [] : {};
}

// Walks `words` from the document root. Throws (unless lenient) with the
// path so far and what would have fitted.
export function walk(doc: Obj, words: readonly string[], opts: WalkOptions): WalkResult {
  let place: Place = { at: 'container', node: ROOT, value: doc, parent: undefined, key: undefined, ptr: '' };
  let frame: Extract<Place, { at: 'container' }> | undefined;
  let i = 0;
  // A leaf reached whose onLeaf has not run yet.
  let pendingLeaf = false;
  const fail = (message: string): WalkResult => {
    if (opts.lenient) return { place, rest: words.slice(i), frame };
    throw refused(message);
  };
  while (i < words.length) {
    if (place.at === 'leaf') {
      const took = opts.onLeaf ? opts.onLeaf(place, words.slice(i)) : 0;
      pendingLeaf = false;
      i += took;
      if (i >= words.length || took === 0) break;
      // More "field value" pairs of the same object.
      place = frame!;
      continue;
    }
    const here: Extract<Place, { at: 'container' }> = place;
    const { node, value, ptr } = here;
    const w = words[i]!;
    const kind = kindOf(node, isTopField(ptr));
    if (kind === 'object') {
      const child: SchemaNode | undefined = node.properties?.[w];
      if (!child) return fail(`${ptr || '/'}: no field "${w}" here; fields: ${fieldsOf(node)}`);
      const obj = value as Obj | undefined;
      if (!isContainer(kindOf(child))) {
        if (!obj) return fail(`${ptr || '/'} does not exist`);
        frame = place;
        place = { at: 'leaf', node: child, parent: obj, key: w, ptr: `${ptr}/${esc(w)}`, owner: node };
        pendingLeaf = true;
        i++;
        continue;
      }
      let next = obj?.[w];
      if (next === undefined && opts.create && obj) {
        // "exactly one of" objects (a route's to): the new key replaces the others.
        if (node.maxProperties === 1) for (const k of Object.keys(obj)) delete obj[k];
        next = obj[w] = emptyFor(child);
      }
      place = { at: 'container', node: child, value: next, parent: obj, key: w, ptr: `${ptr}/${esc(w)}`, via: 'object' };
    } else if (kind === 'map') {
      const pattern = node.propertyNames?.pattern;
      if (pattern && !new RegExp(pattern).test(w)) return fail(`${ptr}/${esc(w)}: a name must match ${pattern}`);
      const obj = value as Obj | undefined;
      let next = obj?.[w];
      if (next === undefined && opts.create && obj) next = obj[w] = {};
      place = { at: 'container', node: node.additionalProperties as SchemaNode, value: next, parent: obj, key: w, ptr: `${ptr}/${esc(w)}`, via: 'map' };
    } else if (kind === 'named-list') {
      const list = named(value);
      let idx = list.findIndex((x) => x.name === w);
      if (idx < 0 && opts.create && Array.isArray(value)) {
        const namePattern = node.items?.properties?.name?.pattern;
        if (namePattern && !new RegExp(namePattern).test(w)) return fail(`${ptr}/${list.length}/name: "${w}" must match ${namePattern}`);
        idx = list.push({ name: w }) - 1;
      }
      if (idx < 0 && !opts.lenient) return fail(`${ptr}: no item named "${w}"${list.length ? `; there are: ${list.map((x) => String(x.name)).join(', ')}` : ''}`);
      place = { at: 'container', node: node.items!, value: idx < 0 ? undefined : list[idx], parent: value, key: idx, ptr: `${ptr}/${idx < 0 ? list.length : idx}`, via: 'named-list' };
    } else if (kind === 'list') {
      const list = Array.isArray(value) ? (value as Obj[]) : [];
      if (!/^\d+$/.test(w)) return fail(`${ptr}: items here are numbered: 0..${list.length}`);
      const idx = Number(w);
      if (idx > list.length || (idx === list.length && !opts.create)) return fail(`${ptr}/${idx}: no such item; there are ${list.length}`);
      if (idx === list.length && Array.isArray(value)) list.push({});
      place = { at: 'container', node: node.items!, value: list[idx], parent: value, key: idx, ptr: `${ptr}/${idx}`, via: 'list' };
    } else {
      break;
    }
    i++;
  }
  if (place.at === 'leaf' && pendingLeaf && opts.onLeaf) opts.onLeaf(place, []);
  return { place, rest: words.slice(i), frame };
}

// A word as the leaf's JSON value (the store checks ranges, patterns and enums).
export function parseValue(node: SchemaNode, word: string, ptr: string): unknown {
  switch (node.type) {
    case 'integer':
      if (!/^-?\d+$/.test(word)) throw refused(`${ptr}: "${word}" is not an integer`, [{ path: ptr, message: 'must be integer' }]);
      return Number(word);
    case 'number': {
      const n = Number(word);
      if (word.trim() === '' || !Number.isFinite(n)) throw refused(`${ptr}: "${word}" is not a number`, [{ path: ptr, message: 'must be number' }]);
      return n;
    }
    case 'boolean':
      if (/^(true|yes|on)$/i.test(word)) return true;
      if (/^(false|no|off)$/i.test(word)) return false;
      throw refused(`${ptr}: "${word}" is not true or false`, [{ path: ptr, message: 'must be boolean' }]);
    default:
      return word;
  }
}

// A short description of a value's type for help: "integer 0..65535", "one of udp, tcp, tls".
export function typeHint(node: SchemaNode, topLevel = false): string {
  const k = kindOf(node, topLevel);
  if (k === 'named-list') return 'list of named items';
  if (k === 'list') return 'numbered list';
  if (k === 'map') return 'items by name';
  if (k === 'object') return 'object';
  if (k === 'leaf-list') return `list of ${typeHint(node.items ?? {})}`;
  if (node.enum) return `one of ${node.enum.map((v) => (v === '' ? '""' : String(v))).join(', ')}`;
  if (node.type === 'integer' || node.type === 'number') {
    const range = node.minimum !== undefined || node.maximum !== undefined ? ` ${node.minimum ?? ''}..${node.maximum ?? ''}` : '';
    return `${node.type}${range}`;
  }
  if (node.type === 'boolean') return 'true or false';
  return node.writeOnly ? 'secret text' : 'text';
}

export function leafValues(node: SchemaNode): string[] {
  if (node.enum) return node.enum.map((v) => String(v)).filter((v) => v !== '');
  if (node.type === 'boolean') return ['true', 'false'];
  return [];
}

// The words that may come next, for tab completion: field names, item
// names from the document, enum values.
export function nextWords(doc: Obj, words: readonly string[], opts: { forDelete?: boolean } = {}): string[] {
  let awaiting: Extract<Place, { at: 'leaf' }> | undefined;
  let listTail: SchemaNode | undefined;
  const r = walk(doc, words, {
    create: false,
    lenient: true,
    onLeaf: (leaf, rest) => {
      awaiting = undefined;
      listTail = undefined;
      const k = kindOf(leaf.node);
      if (k === 'leaf-list') {
        listTail = leaf.node;
        awaiting = leaf;
        return rest.length;
      }
      if (rest.length === 0) {
        awaiting = leaf;
        return 0;
      }
      return opts.forDelete ? rest.length : 1;
    },
  });
  if (r.rest.length > 0) return [];
  if (listTail) {
    if (opts.forDelete) {
      const cur = awaiting?.parent[awaiting.key];
      return Array.isArray(cur) ? cur.map(String) : [];
    }
    return leafValues(listTail.items ?? {});
  }
  if (awaiting) return opts.forDelete ? [] : leafValues(awaiting.node);
  const place = r.frame && r.place.at === 'leaf' ? r.frame : r.place;
  if (place.at !== 'container') return [];
  return childWords(place.node, place.value, place.ptr);
}

function childWords(node: SchemaNode, value: unknown, ptr: string): string[] {
  switch (kindOf(node, isTopField(ptr))) {
    case 'object':
      return Object.keys(node.properties ?? {});
    case 'map':
      return value && typeof value === 'object' ? Object.keys(value) : [];
    case 'named-list':
      return named(value).map((x) => String(x.name));
    case 'list':
      return Array.isArray(value) ? value.map((_, i) => String(i)) : [];
    default:
      return [];
  }
}

// Help for what follows `words`: each field with its type and description,
// or the leaf's own type, default and description.
export function helpFor(doc: Obj, words: readonly string[]): string[] {
  let leaf: Extract<Place, { at: 'leaf' }> | undefined;
  const r = walk(doc, words, {
    create: false,
    lenient: true,
    onLeaf: (l, rest) => {
      leaf = rest.length === 0 ? l : undefined;
      return kindOf(l.node) === 'leaf-list' ? rest.length : Math.min(1, rest.length);
    },
  });
  if (r.rest.length > 0) return [`no field "${r.rest[0]}" at ${r.place.ptr || '/'}`];
  if (leaf) return leafHelp(leaf.key, leaf.node);
  const place = r.frame && r.place.at === 'leaf' ? r.frame : r.place;
  if (place.at !== 'container') return [];
  const node = place.node;
  const out: string[] = [];
  if (node.description) out.push(node.description);
  const kind = kindOf(node, isTopField(place.ptr));
  if (kind === 'object') {
    const props = Object.entries(node.properties ?? {});
    const width = Math.max(...props.map(([k]) => k.length), 4);
    for (const [k, child] of props) out.push(`  ${k.padEnd(width)}  ${typeHint(child, place.ptr === '')}${child.description ? ` — ${child.description}` : ''}`);
  } else {
    const items = childWords(node, place.value, place.ptr);
    const what = kind === 'list' ? 'index (a new one appends)' : 'name (a new one creates it)';
    out.push(`  <${what}>${items.length ? `: ${items.join(', ')}` : ''}`);
  }
  return out;
}

function leafHelp(key: string, node: SchemaNode): string[] {
  const out = [`${key}: ${typeHint(node)}`];
  if (node.description) out.push(`  ${node.description}`);
  if (node.default !== undefined && !node.writeOnly) out.push(`  default: ${JSON.stringify(node.default)}`);
  if (node.writeOnly) out.push('  secret: leave the value out to type it without echo');
  return out;
}
