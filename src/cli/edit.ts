// `set` and `delete` on a copy of the candidate document, by the schema
// tree (schema-tree.ts). The result goes to sbcd whole (PUT
// /config/candidate), which validates it with the same schema and the
// store's own rules: a refusal names each field's document path.
import { refused } from './errors.js';
import { kindOf, parseValue, walk } from './schema-tree.js';

type Obj = Record<string, unknown>;

// A secret leaf given without a value: the shell asks for it without echo
// and runs the command again with the value added.
export class NeedsSecret extends Error {
  constructor(
    readonly ptr: string,
    readonly field: string,
  ) {
    super(`${ptr}: type the value`);
  }
}

// What an edit did, for the message (paths only: values may be secrets).
export interface EditResult {
  doc: Obj;
  paths: string[];
}

export function applySet(current: Obj, words: readonly string[]): EditResult {
  if (words.length === 0) throw refused('set what? e.g. set system name edge1 (try: set ?)');
  const doc = structuredClone(current);
  const paths: string[] = [];
  const r = walk(doc, words, {
    create: true,
    onLeaf: (leaf, rest) => {
      const k = kindOf(leaf.node);
      if (k === 'leaf-list') {
        leaf.parent[leaf.key] = rest.map((w, i) => parseValue(leaf.node.items ?? {}, w, `${leaf.ptr}/${i}`));
        paths.push(leaf.ptr);
        return rest.length;
      }
      if (rest.length === 0) {
        if (leaf.node.writeOnly) throw new NeedsSecret(leaf.ptr, leaf.key);
        throw refused(`${leaf.ptr}: give a value (${leaf.key} ?)`);
      }
      // "exactly one of" objects (a route's to): the field set replaces the others.
      if (leaf.owner.maxProperties === 1) for (const k of Object.keys(leaf.parent)) if (k !== leaf.key) delete leaf.parent[k];
      leaf.parent[leaf.key] = parseValue(leaf.node, rest[0]!, leaf.ptr);
      paths.push(leaf.ptr);
      return 1;
    },
  });
  if (r.place.at === 'container' && paths.length === 0) {
    // "set trunks t3" alone creates t3 with every default; "set system"
    // alone would change nothing.
    if (r.place.via !== 'named-list' && r.place.via !== 'map' && r.place.via !== 'list') {
      throw refused(`${r.place.ptr || '/'}: set which field? (${words.join(' ')} ?)`);
    }
    paths.push(r.place.ptr);
  }
  return { doc, paths };
}

export function applyDelete(current: Obj, words: readonly string[]): EditResult {
  if (words.length === 0) throw refused('delete what? e.g. delete trunks old (try: delete ?)');
  const doc = structuredClone(current);
  let removedLeaf: string | undefined;
  const r = walk(doc, words, {
    create: false,
    onLeaf: (leaf, rest) => {
      const cur = leaf.parent[leaf.key];
      if (kindOf(leaf.node) === 'leaf-list' && rest.length > 0) {
        const list = Array.isArray(cur) ? (cur as unknown[]) : [];
        for (const w of rest) {
          const idx = list.findIndex((v) => String(v) === w);
          if (idx < 0) throw refused(`${leaf.ptr}: has no "${w}"`);
          list.splice(idx, 1);
        }
        removedLeaf = leaf.ptr;
        return rest.length;
      }
      if (rest.length > 0) throw refused(`${leaf.ptr}: delete takes no value here (it resets ${leaf.key} to its default)`);
      // Gone from the document: the schema default fills it in again.
      delete leaf.parent[leaf.key];
      removedLeaf = leaf.ptr;
      return 0;
    },
  });
  if (removedLeaf) return { doc, paths: [removedLeaf] };
  const place = r.place;
  if (place.at !== 'container' || place.parent === undefined || place.key === undefined) throw refused('delete what?');
  if (place.value === undefined) throw refused(`${place.ptr}: does not exist`);
  if (Array.isArray(place.parent) && typeof place.key === 'number') place.parent.splice(place.key, 1);
  else delete (place.parent as Obj)[String(place.key)];
  return { doc, paths: [place.ptr] };
}
