// An incoming request waiting for (or done with) our answer. Out-of-dialog
// requests reach the application through SipEngine 'request', in-dialog
// ones through Dialog 'request'.
import { EventEmitter } from 'node:events';
import { toNativeHeaders, type HeaderInput, type SipCore } from './core.js';
import { Dialog } from './dialog.js';
import { SipError, SipErrorCode } from './errors.js';
import { SipRequest } from './message.js';
import type { NativeEvent } from './native.js';

export type ServerTransactionState = 'proceeding' | 'completed' | 'terminated';

export interface RespondOptions {
  reason?: string;
  headers?: HeaderInput;
  body?: string;
  /** 101–199 only: send reliably (100rel, RFC 3262) when the peer supports it. */
  reliable?: boolean;
}

export interface ServerTransactionEvents {
  /** The peer sent CANCEL: the engine already answered it 200 and the INVITE 487. */
  cancel: [];
}

export class ServerTransaction extends EventEmitter<ServerTransactionEvents> {
  readonly id: number;
  readonly request: SipRequest;
  /** The dialog an in-dialog request belongs to (undefined out of dialog). */
  readonly dialog: Dialog | undefined;
  #core: SipCore;
  #state: ServerTransactionState = 'proceeding';
  #canceled = false;
  #uasDialog: Dialog | undefined;

  /** @internal */
  constructor(core: SipCore, ev: NativeEvent, dialog: Dialog | undefined) {
    super();
    this.#core = core;
    this.id = ev.txn;
    this.request = new SipRequest(ev);
    this.dialog = dialog;
  }

  get method(): string {
    return this.request.method;
  }

  get state(): ServerTransactionState {
    return this.#state;
  }

  /** True once the peer canceled this INVITE (the engine already sent 487). */
  get canceled(): boolean {
    return this.#canceled;
  }

  /** True once a final response was sent (or the transaction was canceled). */
  get final(): boolean {
    return this.#state !== 'proceeding';
  }

  /**
   * Sends a response. For an out-of-dialog INVITE, 101–299 create (then
   * reuse) the UAS dialog, which is returned; otherwise returns undefined.
   * Throws SipError ERR_TXN_FINAL after a final response or a CANCEL.
   */
  respond(status: number, opts: RespondOptions = {}): Dialog | undefined {
    if (this.#state !== 'proceeding') {
      throw new SipError(
        SipErrorCode.TxnFinal,
        `${this.request.method} transaction ${this.id} already ${this.#canceled ? 'canceled' : 'answered'}`,
      );
    }
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      const e = new TypeError(`status must be an integer 100..699, got ${String(status)}`);
      (e as TypeError & { code: string }).code = SipErrorCode.InvalidArg;
      throw e;
    }
    const core = this.#core;
    if (core.closed) throw new SipError(SipErrorCode.Stopped, 'SIP engine is closed');
    const makesDialog = this.request.method === 'INVITE' && this.dialog === undefined && status > 100 && status < 300;
    let dialog = this.#uasDialog;
    const dialogId = makesDialog ? (dialog?.id ?? core.native.nextId()) : 0;
    // Throws on bad arguments before anything is registered here.
    core.native.respond(
      this.id,
      status,
      opts.reason ?? '',
      toNativeHeaders(opts.headers),
      opts.body ?? '',
      dialogId,
      opts.reliable ?? false,
    );
    if (makesDialog && dialog === undefined) {
      dialog = new Dialog(core, dialogId, this.request.side, 'uas');
      this.#uasDialog = dialog;
      core.addDialog(dialog);
    }
    if (status < 200) return makesDialog ? dialog : undefined;

    this.#state = 'completed';
    if (makesDialog && dialog) {
      // Stays in the engine's map until the ACK (or the dialog's end), so a
      // CANCEL that crossed our 2xx can still reach it.
      dialog._confirm(this);
      return dialog;
    }
    this.#core.removeServerTxn(this.id);
    if (dialog && dialog.state === 'early') {
      core.native.destroyDialog(dialog.id);
      dialog._gone('rejected');
    }
    return undefined;
  }

  /** @internal The engine reports the CANCEL it already answered. */
  _cancel(): void {
    this.#canceled = true;
    this.#state = 'terminated';
    this.#core.removeServerTxn(this.id);
    const d = this.#uasDialog;
    if (d && d.state !== 'terminated') {
      if (!this.#core.closed) this.#core.native.destroyDialog(d.id);
      d._gone('canceled');
    }
    this.emit('cancel');
  }

  /** @internal ACK arrived, the dialog ended, or the engine closed. */
  _terminate(): void {
    this.#state = 'terminated';
    this.#core.removeServerTxn(this.id);
  }
}
