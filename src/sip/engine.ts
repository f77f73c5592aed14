// The SIP engine as the application sees it: starts the native engine,
// turns its event batches into transaction and dialog objects, and keeps
// the id maps that route later events to them. Entries leave the maps when a
// transaction is final or a dialog ends, so an idle engine holds nothing.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ClientTransaction } from './client-transaction.js';
import { toNativeHeaders, type HeaderInput, type SipCore } from './core.js';
import type { Dialog } from './dialog.js';
import { fromNativeError, SipError, SipErrorCode } from './errors.js';
import { SipRequest } from './message.js';
import {
  loadAddon,
  NATIVE_EVENT_TYPES,
  type NativeEngineConfig,
  type NativeEngineStats,
  type MakeNativeEvent,
  type NativeEvent,
  type NativeListener,
  type NativeSipEngine,
} from './native.js';
import { ServerTransaction } from './server-transaction.js';

export interface ListenerOptions {
  /** Unique id; default "<side>-<proto>-<ip>-<port>". */
  id?: string;
  side: string;
  proto: 'udp' | 'tcp' | 'tls';
  ip: string;
  port: number;
  /** Address written into Via/Contact (defaults to ip). */
  advertisedIp?: string;
}

export interface SipEngineOptions {
  listeners: ListenerOptions[];
  tls?: { certFile?: string; keyFile?: string; minVersion?: '1.0' | '1.1' | '1.2' | '1.3'; verifyPeer?: boolean };
  /** RFC 3261 timers (defaults 500 / 4000 / 5000 ms). */
  t1Ms?: number;
  t2Ms?: number;
  t4Ms?: number;
  userAgent?: string;
  /** "" or absent = system resolv.conf; "127.0.0.1:5353" or a list for tests. */
  dnsServers?: string | string[];
}

export interface AddressSpec {
  uri: string;
  display?: string;
}

export interface RequestSpec {
  method: string;
  /** Request-URI. */
  uri: string;
  /** Leaves from a listener of this side. */
  side: string;
  transport?: 'udp' | 'tcp' | 'tls';
  /** "host[:port]" to send to instead of the Request-URI host. */
  nextHop?: string;
  from: AddressSpec;
  to: AddressSpec;
  /** User part of our Contact (none when absent). */
  contactUser?: string;
  maxForwards?: number;
  headers?: HeaderInput;
  body?: string;
  /** Re-send of that earlier transaction (same Call-ID and From tag, CSeq+1), e.g. after a digest challenge. */
  retryOf?: ClientTransaction | number;
}

/** Same as SipEngineOptions. */
export type EngineOptions = SipEngineOptions;

export interface SipEngineStats extends NativeEngineStats {
  /** Objects the JavaScript side still tracks (0 when idle: nothing leaks). */
  js: { serverTxns: number; clientTxns: number; dialogs: number };
}

export interface TransportErrorInfo {
  /** The engine's text, e.g. "connect 127.0.0.1:5070: Connection refused". */
  message: string;
  listener: string;
  /** "udp" | "tcp" | "tls" */
  transport: string;
  remote: { ip: string; port: number };
}

/** A listener setListeners() could not open. */
export interface ListenerFailure {
  id: string;
  /** e.g. "bind 192.0.2.1:5060/udp: Cannot assign requested address" */
  error: string;
}

export interface SipEngineEvents {
  /** A new out-of-dialog request. Without a listener the engine answers 503. */
  request: [txn: ServerTransaction];
  /** A send or connection failed where no client transaction could take it as a local 503. */
  transportError: [error: TransportErrorInfo];
}

export class SipEngine extends EventEmitter<SipEngineEvents> {
  readonly #native: NativeSipEngine;
  readonly #serverTxns = new Map<number, ServerTransaction>();
  readonly #clientTxns = new Map<number, ClientTransaction>();
  readonly #dialogs = new Map<number, Dialog>();
  readonly #core: SipCore;
  /** setListeners() calls waiting for their 'listeners-set' event, by id. */
  readonly #listenerUpdates = new Map<number, (failures: ListenerFailure[]) => void>();
  #closed = false;
  readonly instanceToken: string;

  /** Starts the engine; rejects with SipError ERR_SIP_LISTEN when a listener cannot be opened. */
  static async start(options: SipEngineOptions): Promise<SipEngine> {
    const engine = new SipEngine();
    try {
      engine.#native.start(engine.#config(options));
    } catch (err) {
      engine.#closed = true;
      throw fromNativeError(err);
    }
    return engine;
  }

  private constructor() {
    super();
    const addon = loadAddon();
    this.#native = new addon.SipEngine((events) => this.#onEvents(events), makeEvent);
    this.instanceToken = randomBytes(8).toString('hex');
    // One object shared by every transaction and dialog of this engine.
    const self = this;
    this.#core = {
      native: this.#native,
      get closed() {
        return self.#closed;
      },
      addDialog: (d) => void this.#dialogs.set(d.id, d),
      removeDialog: (id) => void this.#dialogs.delete(id),
      removeServerTxn: (id) => void this.#serverTxns.delete(id),
      addClientTxn: (t) => void this.#clientTxns.set(t.id, t),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  #config(o: SipEngineOptions): NativeEngineConfig {
    if (!o || !Array.isArray(o.listeners)) {
      const e = new TypeError('options.listeners must be an array');
      (e as TypeError & { code: string }).code = SipErrorCode.InvalidArg;
      throw e;
    }
    const listeners = toNativeListeners(o.listeners);
    const c: NativeEngineConfig = { listeners, instanceToken: this.instanceToken };
    if (o.tls) c.tls = o.tls;
    if (o.t1Ms !== undefined) c.t1Ms = o.t1Ms;
    if (o.t2Ms !== undefined) c.t2Ms = o.t2Ms;
    if (o.t4Ms !== undefined) c.t4Ms = o.t4Ms;
    if (o.userAgent !== undefined) c.userAgent = o.userAgent;
    if (o.dnsServers !== undefined) c.dnsServers = Array.isArray(o.dnsServers) ? o.dnsServers.join(',') : o.dnsServers;
    return c;
  }

  /**
   * Replaces the listener set while running (e.g. a side's interface got a
   * new address): new listeners open first, then those not in `listeners`
   * close (an unchanged id + address stays open). Resolves with the
   * listeners that could not be opened (empty = all fine). Transactions on
   * a closed listener end with a local 503 (transport error).
   */
  setListeners(listeners: ListenerOptions[]): Promise<ListenerFailure[]> {
    if (this.#closed) return Promise.reject(new SipError(SipErrorCode.Stopped, 'SIP engine is closed'));
    let id: number;
    try {
      id = this.#native.setListeners(toNativeListeners(listeners));
    } catch (err) {
      return Promise.reject(fromNativeError(err));
    }
    return new Promise((resolve) => this.#listenerUpdates.set(id, resolve));
  }

  /** Sends a new out-of-dialog request. */
  request(spec: RequestSpec): ClientTransaction {
    if (this.#closed) throw new SipError(SipErrorCode.Stopped, 'SIP engine is closed');
    const method = String(spec.method).toUpperCase();
    const retryOf = typeof spec.retryOf === 'object' ? spec.retryOf.id : spec.retryOf;
    const id = this.#native.request({
      method,
      uri: spec.uri,
      side: spec.side,
      transport: spec.transport ?? '',
      nextHop: spec.nextHop ?? '',
      fromUri: spec.from?.uri,
      fromDisplay: spec.from?.display ?? '',
      toUri: spec.to?.uri,
      toDisplay: spec.to?.display ?? '',
      contactUser: spec.contactUser ?? '',
      maxForwards: spec.maxForwards ?? 70,
      headers: toNativeHeaders(spec.headers),
      body: spec.body ?? '',
      retryOf: retryOf ?? 0,
    });
    const txn = new ClientTransaction(this.#core, id, method, spec.side, undefined);
    this.#clientTxns.set(id, txn);
    return txn;
  }

  stats(): SipEngineStats {
    return {
      ...this.#native.stats(),
      js: { serverTxns: this.#serverTxns.size, clientTxns: this.#clientTxns.size, dialogs: this.#dialogs.size },
    };
  }

  /**
   * Stops the engine: listeners close, pending client transactions resolve
   * with a local 503, every dialog emits 'destroy' ('closed'). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.stop();
    for (const t of this.#serverTxns.values()) t._terminate();
    const clients = [...this.#clientTxns.values()];
    const dialogs = [...this.#dialogs.values()];
    this.#serverTxns.clear();
    this.#clientTxns.clear();
    this.#dialogs.clear();
    for (const t of clients) t._abort();
    const updates = [...this.#listenerUpdates.values()];
    this.#listenerUpdates.clear();
    for (const resolve of updates) resolve([]);
    const ended = dialogs.filter((d) => d._endQuietly('closed'));
    for (const d of ended) {
      try {
        d.emit('destroy', 'closed');
      } catch (err) {
        // Same rule as for event batches: a throwing handler is reported,
        // and the other dialogs still hear about the close.
        process.nextTick(() => {
          throw err;
        });
      }
    }
    // Let batches the native side already queued run (they are ignored now).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #onEvents(events: NativeEvent[]): void {
    if (this.#closed) return;
    for (const ev of events) {
      try {
        this.#dispatch(ev);
      } catch (err) {
        // A throwing application handler must not lose the rest of the
        // batch; it still surfaces as an uncaught exception.
        process.nextTick(() => {
          throw err;
        });
      }
      if (this.#closed) return;
    }
  }

  #dispatch(ev: NativeEvent): void {
    switch (ev.type) {
      case 'request':
        return this.#onRequest(ev);
      case 'response': {
        const t = this.#clientTxns.get(ev.txn);
        if (t === undefined) return this.#onStrayResponse(ev);
        if (ev.status >= 200) this.#clientTxns.delete(ev.txn);
        t._response(ev);
        return;
      }
      case 'ack': {
        const d = this.#dialogs.get(ev.dialog);
        if (d) {
          d._confirm();
          d._ack(new SipRequest(ev));
        }
        return;
      }
      case 'cancel':
        this.#serverTxns.get(ev.txn)?._cancel();
        return;
      case 'dialog-terminated': {
        const d = this.#dialogs.get(ev.dialog);
        if (d === undefined) return;
        // The engine keeps a dialog whose 2xx was never ACKed so it can be
        // ended properly: RFC 3261 §13.3.1.4 says with a BYE, sent here so
        // that 'destroy' always means the dialog is gone.
        if (ev.info === 'ack-timeout') this.#native.dialogRequest(d.id, 'BYE', undefined, '');
        d._gone(ev.info || 'terminated');
        return;
      }
      case 'transport-error':
        this.emit('transportError', {
          message: ev.info,
          listener: ev.listener,
          transport: ev.transport,
          remote: { ip: ev.remoteIp, port: ev.remotePort },
        });
        return;
      case 'listeners-set': {
        const resolve = this.#listenerUpdates.get(ev.txn);
        this.#listenerUpdates.delete(ev.txn);
        const flat = typeof ev.headers === 'string' ? (ev.headers === '' ? [] : ev.headers.split('\n')) : ev.headers;
        const failures: ListenerFailure[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) failures.push({ id: flat[i]!, error: flat[i + 1]! });
        resolve?.(failures);
        return;
      }
    }
  }

  #onRequest(ev: NativeEvent): void {
    if (ev.dialog !== 0) {
      const d = this.#dialogs.get(ev.dialog);
      if (d === undefined) {
        // The engine knows a dialog we dropped (destroy() raced the request).
        this.#native.respond(ev.txn, 481, 'Call/Transaction Does Not Exist', undefined, '', 0, false);
        return;
      }
      const t = new ServerTransaction(this.#core, ev, d);
      this.#serverTxns.set(t.id, t);
      if (d.listenerCount('request') > 0) d.emit('request', t);
      else defaultInDialogAnswer(t);
      return;
    }
    const t = new ServerTransaction(this.#core, ev, undefined);
    this.#serverTxns.set(t.id, t);
    if (this.listenerCount('request') > 0) this.emit('request', t);
    else t.respond(503);
  }

  // A response for a transaction we no longer track: a late 2xx from another
  // branch of a forked INVITE. RFC 3261 §13.2.2.4: ACK it, then BYE it.
  #onStrayResponse(ev: NativeEvent): void {
    if (ev.method !== 'INVITE' || ev.status < 200 || ev.status >= 300 || ev.dialog === 0) return;
    if (this.#dialogs.has(ev.dialog)) return; // a retransmission of our own call's 2xx
    this.#native.ack(ev.dialog, undefined, '');
    this.#native.dialogRequest(ev.dialog, 'BYE', undefined, '');
  }
}

function toNativeListeners(list: ListenerOptions[]): NativeListener[] {
  if (!Array.isArray(list)) {
    const e = new TypeError('listeners must be an array');
    (e as TypeError & { code: string }).code = SipErrorCode.InvalidArg;
    throw e;
  }
  return list.map((l) => {
    const n: NativeListener = {
      id: l.id ?? `${l.side}-${l.proto}-${l.ip}-${l.port}`,
      side: l.side,
      proto: l.proto,
      ip: l.ip,
      port: l.port,
    };
    if (l.advertisedIp !== undefined) n.advertisedIp = l.advertisedIp;
    return n;
  });
}

// Called by the addon once per event (same keys, same order as the objects
// the addon would build itself).
const makeEvent: MakeNativeEvent = (
  type, txn, dialog, method, ruri, status, reason, headers, body, local, looped, listener, side, transport, remoteIp, remotePort, info,
) => ({
  type: NATIVE_EVENT_TYPES[type]!,
  txn,
  dialog,
  method,
  ruri,
  status,
  reason,
  headers,
  body,
  local,
  looped,
  listener,
  side,
  transport,
  remoteIp,
  remotePort,
  info,
});

function defaultInDialogAnswer(t: ServerTransaction): void {
  switch (t.method) {
    case 'BYE':
    case 'OPTIONS':
      t.respond(200);
      return;
    case 'INVITE':
    case 'UPDATE':
      t.respond(488);
      return;
    default:
      t.respond(501);
  }
}
