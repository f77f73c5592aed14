// One SIP dialog (one leg of a call), UAC or UAS. In-dialog requests from
// the peer arrive as 'request' with a ServerTransaction; requests we send go
// through request(); the 2xx of our INVITE is acknowledged with ack().
import { EventEmitter } from 'node:events';
import { ClientTransaction } from './client-transaction.js';
import { toNativeHeaders, type BodyOptions, type SipCore } from './core.js';
import { SipError, SipErrorCode } from './errors.js';
import type { SipRequest } from './message.js';
import type { ServerTransaction } from './server-transaction.js';

export type DialogRole = 'uac' | 'uas';
export type DialogState = 'early' | 'confirmed' | 'terminated';

/**
 * Why a dialog ended ('destroy' event): 'bye' | 'ack-timeout' | 'timeout'
 * (from the engine), 'rejected' (the INVITE got a non-2xx final), 'canceled'
 * (CANCEL), 'closed' (engine closed), or another engine reason.
 */
export type DialogEndReason = string;

export interface DialogEvents {
  /** An in-dialog request from the peer (re-INVITE, UPDATE, INFO, OPTIONS, BYE, …). */
  request: [txn: ServerTransaction];
  /** The ACK for a 2xx we sent (may carry the SDP answer). */
  ack: [ack: SipRequest];
  /** The dialog is gone for a reason other than our own destroy(). */
  destroy: [reason: DialogEndReason];
}

export class Dialog extends EventEmitter<DialogEvents> {
  readonly id: number;
  /** Side ("lan" / "wan") of the listener the dialog runs on. */
  readonly side: string;
  readonly role: DialogRole;
  #core: SipCore;
  #state: DialogState = 'early';
  #endReason = '';
  #pendingInvite: ServerTransaction | undefined;

  /** @internal */
  constructor(core: SipCore, id: number, side: string, role: DialogRole) {
    super();
    this.#core = core;
    this.id = id;
    this.side = side;
    this.role = role;
  }

  get state(): DialogState {
    return this.#state;
  }

  /** Why it ended ("" while alive; "destroyed" after our own destroy()). */
  get endReason(): string {
    return this.#endReason;
  }

  /** Sends an in-dialog request (BYE, re-INVITE, UPDATE, INFO, OPTIONS, REFER, …). */
  request(method: string, opts: BodyOptions = {}): ClientTransaction {
    this.#alive();
    const m = method.toUpperCase();
    const id = this.#core.native.dialogRequest(this.id, m, toNativeHeaders(opts.headers), opts.body ?? '');
    const txn = new ClientTransaction(this.#core, id, m, this.side, this);
    this.#core.addClientTxn(txn);
    return txn;
  }

  /** Acknowledges the 2xx of the last INVITE we sent in this dialog. */
  ack(opts: BodyOptions = {}): void {
    this.#alive();
    this.#core.native.ack(this.id, toNativeHeaders(opts.headers), opts.body ?? '');
  }

  /**
   * Forgets the dialog here and in the engine without sending anything (send
   * BYE with request('BYE') first to hang up). Emits no 'destroy'. Idempotent.
   */
  destroy(): void {
    if (this.#state === 'terminated') return;
    if (!this.#core.closed) this.#core.native.destroyDialog(this.id);
    this.#end('destroyed');
  }

  #alive(): void {
    if (this.#state === 'terminated') {
      throw new SipError(SipErrorCode.DialogGone, `dialog ${this.id} is destroyed (${this.#endReason})`);
    }
    if (this.#core.closed) throw new SipError(SipErrorCode.Stopped, 'SIP engine is closed');
  }

  #end(reason: string): void {
    this.#state = 'terminated';
    this.#endReason = reason;
    this.#core.removeDialog(this.id);
    const inv = this.#pendingInvite;
    this.#pendingInvite = undefined;
    inv?._terminate();
  }

  /** @internal A 2xx made the dialog confirmed; `invite` is our INVITE server txn awaiting its ACK. */
  _confirm(invite?: ServerTransaction): void {
    if (this.#state === 'early') this.#state = 'confirmed';
    if (invite) this.#pendingInvite = invite;
  }

  /** @internal The ACK for our 2xx arrived. */
  _ack(ack: SipRequest): void {
    const inv = this.#pendingInvite;
    this.#pendingInvite = undefined;
    inv?._terminate();
    this.emit('ack', ack);
  }

  /** @internal Ended by the engine or by its transaction: emits 'destroy' once. */
  _gone(reason: string): void {
    if (this.#state === 'terminated') return;
    this.#end(reason);
    this.emit('destroy', reason);
  }

  /**
   * @internal Engine close, first pass: terminated without an event, so that
   * when 'destroy' handlers run (second pass) every dialog already reads as
   * terminated. Returns false when it already was.
   */
  _endQuietly(reason: string): boolean {
    if (this.#state === 'terminated') return false;
    this.#end(reason);
    return true;
  }
}
