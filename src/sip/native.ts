// Loads the native addon (build/Release/edgesbc.node) and declares the shape
// of what it exports for the SIP engine. Only src/sip/* imports this file.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SipError, SipErrorCode } from './errors.js';

export type NativeEventType =
  | 'request'
  | 'response'
  | 'ack'
  | 'cancel'
  | 'dialog-terminated'
  | 'transport-error'
  | 'listeners-set';

/** One event of a batch, exactly as the addon builds it (every key always present). */
export interface NativeEvent {
  type: NativeEventType;
  /** Server txn (request, cancel) or client txn (response); 0 = none. */
  txn: number;
  /** Dialog the message belongs to or created; 0 = none. */
  dialog: number;
  /** Request method; for responses the CSeq method. */
  method: string;
  ruri: string;
  status: number;
  reason: string;
  /**
   * Flat [name0, value0, name1, value1, …] in wire order, names as written;
   * or, as the addon sends it when no name or value holds a "\n", that same
   * list joined by "\n" ("" = no headers), split only when someone reads it.
   */
  headers: string[] | string;
  body: string;
  /** Response made up by the engine (408 timeout, 503 transport failure). */
  local: boolean;
  /** Request carries one of our own Via branches. */
  looped: boolean;
  listener: string;
  side: string;
  transport: string;
  remoteIp: string;
  remotePort: number;
  info: string;
}

/** The `type` argument of MakeNativeEvent indexes this list. */
export const NATIVE_EVENT_TYPES: readonly NativeEventType[] = [
  'request',
  'response',
  'ack',
  'cancel',
  'dialog-terminated',
  'transport-error',
  'listeners-set',
];

export type MakeNativeEvent = (
  /** Index into NATIVE_EVENT_TYPES. */
  type: number,
  txn: number,
  dialog: number,
  method: string,
  ruri: string,
  status: number,
  reason: string,
  headers: string[] | string,
  body: string,
  local: boolean,
  looped: boolean,
  listener: string,
  side: string,
  transport: string,
  remoteIp: string,
  remotePort: number,
  info: string,
) => NativeEvent;

/** Header lists going in: pairs, or a flat [name, value, …] list. */
export type NativeHeaderList = ReadonlyArray<readonly [string, string]> | readonly string[];

export interface NativeListener {
  id: string;
  side: string;
  proto: 'udp' | 'tcp' | 'tls';
  ip: string;
  port: number;
  advertisedIp?: string;
}

export interface NativeEngineConfig {
  listeners: NativeListener[];
  tls?: { certFile?: string; keyFile?: string; minVersion?: '1.0' | '1.1' | '1.2' | '1.3'; verifyPeer?: boolean };
  t1Ms?: number;
  t2Ms?: number;
  t4Ms?: number;
  userAgent?: string;
  instanceToken?: string;
  dnsServers?: string;
}

export interface NativeRequestSpec {
  method: string;
  uri: string;
  side: string;
  transport?: 'udp' | 'tcp' | 'tls' | '';
  nextHop?: string;
  fromUri: string;
  fromDisplay?: string;
  toUri: string;
  toDisplay?: string;
  contactUser?: string;
  maxForwards?: number;
  headers?: NativeHeaderList;
  body?: string;
  retryOf?: number;
}

export interface NativeEngineStats {
  serverTxns: number;
  clientTxns: number;
  dialogs: number;
  timers: number;
  connections: number;
  messagesIn: number;
  messagesOut: number;
  parseErrors: number;
  retransmissions: number;
  queuedEvents: number;
}

/** The addon's SipEngine handle. Every method throws TypeError{code:'ERR_INVALID_ARG'} on bad arguments. */
export interface NativeSipEngine {
  /** Throws Error{code:'ERR_SIP_LISTEN'} when a listener cannot be opened. */
  start(config: NativeEngineConfig): void;
  /** Idempotent. Batches already queued are still delivered afterwards. */
  stop(): void;
  respond(
    txn: number,
    status: number,
    reason: string,
    headers: NativeHeaderList | undefined,
    body: string,
    dialogId: number,
    reliable: boolean,
  ): void;
  /** Returns the new client txn id. */
  request(spec: NativeRequestSpec): number;
  dialogRequest(dialog: number, method: string, headers: NativeHeaderList | undefined, body: string): number;
  ack(dialog: number, headers: NativeHeaderList | undefined, body: string): void;
  cancel(txn: number): void;
  destroyDialog(dialog: number): void;
  /** Replaces the listener set; returns the id a 'listeners-set' event answers (headers = listener id, error, …). */
  setListeners(listeners: NativeListener[]): number;
  nextId(): number;
  stats(): NativeEngineStats;
  readonly running: boolean;
}

export interface NativeAddon {
  /**
   * `makeEvent`, when given, builds each event object from its 17 values in
   * key order (the type as an index into NATIVE_EVENT_TYPES) (a JS object literal is cheaper to make than 17 properties
   * defined from C++); without it the addon builds the objects itself.
   */
  SipEngine: new (onEvents: (events: NativeEvent[]) => void, makeEvent?: MakeNativeEvent) => NativeSipEngine;
  generateSelfSigned(certFile: string, keyFile: string, commonName: string): void;
}

let cached: NativeAddon | undefined;

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.EDGESBC_ADDON) list.push(process.env.EDGESBC_ADDON);
  // Works from src/sip (ts-node style) and from dist/src/sip (compiled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    list.push(join(dir, 'build', 'Release', 'edgesbc.node'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return list;
}

/** The addon, loaded on first use (so pure modules never need the native build). */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried = candidates();
  const path = tried.find((p) => existsSync(p));
  if (!path) {
    throw new SipError(
      SipErrorCode.AddonLoad,
      `native addon edgesbc.node not found (run "npx node-gyp configure build -j 2"); looked in: ${tried.join(', ')}`,
    );
  }
  try {
    cached = require(path) as NativeAddon;
  } catch (err) {
    throw new SipError(SipErrorCode.AddonLoad, `cannot load ${path}: ${(err as Error).message}`);
  }
  return cached;
}
