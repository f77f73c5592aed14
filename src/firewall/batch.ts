// Rulesets and set changes as libnftables JSON batches. One batch is one
// kernel transaction: it applies whole or not at all.
import {
  FAMILY,
  chainObject,
  elementObject,
  ruleObject,
  setObject,
  table,
  type Json,
} from './nft-json.js';
import type { Ruleset } from './ruleset.js';

export interface NftBatch {
  nftables: Json[];
}

// Elements to put back into a set after the table is recreated (bans and
// media peers with their remaining time).
export type CarriedElements = ReadonlyMap<string, Json[]>;

// Replaces our table atomically: "add table" (so the delete cannot fail on a
// first apply), "delete table", then the whole table again, all in one
// transaction. Packets see the old table or the new one, never a half.
export function replaceTableBatch(rs: Ruleset, carried: CarriedElements = new Map()): NftBatch {
  const cmds: Json[] = [
    { add: table(rs.table) },
    { delete: table(rs.table) },
    { add: table(rs.table) },
  ];
  for (const s of rs.sets) {
    cmds.push({ add: setObject(rs.table, s) });
    const elems = [...s.elements, ...(s.dynamic ? (carried.get(s.name) ?? []) : [])];
    if (elems.length > 0) cmds.push({ add: elementObject(rs.table, s.name, elems) });
  }
  for (const c of rs.chains) cmds.push({ add: chainObject(rs.table, c) });
  for (const r of rs.rules) cmds.push({ add: ruleObject(rs.table, r) });
  return { nftables: cmds };
}

export function deleteTableBatch(tableName: string): NftBatch {
  // "add" first so deleting a table that is not there is not an error.
  return { nftables: [{ add: table(tableName) }, { delete: table(tableName) }] };
}

// Replaces a set's elements in place (address list refresh): rules and
// conntrack are untouched, so calls in progress keep going.
export function replaceSetElementsBatch(tableName: string, set: string, elems: Json[]): NftBatch {
  const cmds: Json[] = [{ flush: { set: { family: FAMILY, table: tableName, name: set } } }];
  if (elems.length > 0) cmds.push({ add: elementObject(tableName, set, elems) });
  return { nftables: cmds };
}

export function addElementsBatch(tableName: string, set: string, elems: Json[]): NftBatch {
  return { nftables: [{ add: elementObject(tableName, set, elems) }] };
}

export function deleteElementsBatch(tableName: string, set: string, elems: Json[]): NftBatch {
  return { nftables: [{ delete: elementObject(tableName, set, elems) }] };
}

export function listTableBatch(tableName: string): NftBatch {
  return { nftables: [{ list: table(tableName) }] };
}

export function listSetBatch(tableName: string, set: string): NftBatch {
  return { nftables: [{ list: { set: { family: FAMILY, table: tableName, name: set } } }] };
}
