// A request we sent, waiting for its final response. `final` resolves for
// every final status — including the engine's local 408/503 and a local 503
// when the engine closes — and never rejects: the caller decides.
import { EventEmitter } from 'node:events';
import type { SipCore } from './core.js';
import { Dialog } from './dialog.js';
import { localResponse, SipResponse } from './message.js';
import type { NativeEvent } from './native.js';

export interface FinalResult {
  response: SipResponse;
  /** For a 2xx: the dialog it confirmed (out-of-dialog INVITE) or was sent in. */
  dialog?: Dialog;
}

export interface ClientTransactionEvents {
  /** A 1xx; `dialog` is the early dialog when the 1xx carried a To tag. */
  provisional: [response: SipResponse, dialog: Dialog | undefined];
}

export type ClientTransactionState = 'calling' | 'proceeding' | 'completed';

export class ClientTransaction extends EventEmitter<ClientTransactionEvents> {
  readonly id: number;
  readonly method: string;
  /** The dialog this request was sent in (undefined for out-of-dialog requests). */
  readonly dialog: Dialog | undefined;
  readonly final: Promise<FinalResult>;
  #core: SipCore;
  #side: string;
  #state: ClientTransactionState = 'calling';
  #resolve!: (r: FinalResult) => void;
  // Early dialogs of an out-of-dialog INVITE (several when the request forks).
  #early: Dialog[] | undefined;
  #cancelRequested = false;

  /** @internal */
  constructor(core: SipCore, id: number, method: string, side: string, dialog: Dialog | undefined) {
    super();
    this.#core = core;
    this.id = id;
    this.method = method;
    this.#side = side;
    this.dialog = dialog;
    this.final = new Promise<FinalResult>((resolve) => {
      this.#resolve = resolve;
    });
  }

  get state(): ClientTransactionState {
    return this.#state;
  }

  /**
   * Cancels an INVITE (the engine sends CANCEL once a 1xx has arrived); the
   * INVITE then ends with 487 through `final`. No-op once final or repeated.
   */
  cancel(): void {
    if (this.#state === 'completed' || this.#cancelRequested || this.method !== 'INVITE') return;
    if (this.#core.closed) return;
    this.#cancelRequested = true;
    this.#core.native.cancel(this.id);
  }

  #dialogFor(ev: NativeEvent): Dialog | undefined {
    if (ev.dialog === 0) return undefined;
    if (this.dialog) return this.dialog.id === ev.dialog ? this.dialog : undefined;
    if (this.method !== 'INVITE') return undefined;
    const known = this.#early?.find((d) => d.id === ev.dialog);
    if (known) return known;
    const d = new Dialog(this.#core, ev.dialog, this.#side, 'uac');
    this.#core.addDialog(d);
    (this.#early ??= []).push(d);
    return d;
  }

  /** @internal A response from the engine. */
  _response(ev: NativeEvent): void {
    if (this.#state === 'completed') return;
    const res = new SipResponse(ev);
    if (ev.status < 200) {
      this.#state = 'proceeding';
      const d = ev.status > 100 ? this.#dialogFor(ev) : undefined;
      this.emit('provisional', res, d);
      return;
    }
    this.#state = 'completed';
    let dialog: Dialog | undefined;
    if (ev.status < 300) {
      dialog = this.#dialogFor(ev);
      if (dialog && !this.dialog) dialog._confirm();
    }
    // Early dialogs that did not become this call's dialog are over.
    for (const d of this.#early ?? []) {
      if (d !== dialog && d.state === 'early') {
        this.#core.native.destroyDialog(d.id);
        d._gone('rejected');
      }
    }
    this.#early = undefined;
    this.#resolve(dialog ? { response: res, dialog } : { response: res });
  }

  /** @internal The engine closed before a final response. */
  _abort(): void {
    if (this.#state === 'completed') return;
    this.#state = 'completed';
    this.#early = undefined;
    this.#resolve({ response: localResponse(this.method, 503, 'Service Unavailable', 'engine closed') });
  }
}
