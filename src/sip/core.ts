// What transactions and dialogs need from their engine: the native handle
// and the id maps. Internal to src/sip (not re-exported), so the handle
// classes do not import the engine class and the maps have one owner.
import type { ClientTransaction } from './client-transaction.js';
import type { Dialog } from './dialog.js';
import type { NativeHeaderList, NativeSipEngine } from './native.js';

export interface SipCore {
  readonly native: NativeSipEngine;
  readonly closed: boolean;
  addDialog(dialog: Dialog): void;
  removeDialog(id: number): void;
  removeServerTxn(id: number): void;
  addClientTxn(txn: ClientTransaction): void;
}

/** Headers callers pass: [name, value] pairs, or a record (one line per key). */
export type HeaderInput = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;

export function toNativeHeaders(h: HeaderInput | undefined): NativeHeaderList | undefined {
  if (h === undefined) return undefined;
  if (Array.isArray(h)) return h as ReadonlyArray<readonly [string, string]>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(h)) out.push(k, v);
  return out;
}

export interface BodyOptions {
  headers?: HeaderInput;
  body?: string;
}
