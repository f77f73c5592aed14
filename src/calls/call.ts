// One B2BUA call: leg a (we are its UAS) and leg b (we are its UAC), each a
// dialog of its own with its own Call-ID, tags, CSeq space and Contact (the
// native engine makes those). This class only decides what crosses: status
// codes, SDP (through the CallMedia seam) and the headers header-policy lets
// through.
//
// Every step that touches SDP goes through `serial` so that an asynchronous
// media engine can never reorder a 180 after its 200.
import type { Logger } from '../log.js';
import { type CallMedia, MediaRefusal } from '../media/call-media.js';
import {
  type ClientTransaction,
  type Dialog,
  type FinalResult,
  type RequestSpec,
  type ServerTransaction,
  type SipEngine,
  type SipRequest,
  type SipResponse,
  parseUri,
} from '../sip/index.js';
import { vonageCodecList } from '../trunks/codec-lists.js';
import { failsOver } from '../trunks/inbound-targets.js';
import { requireFmtp } from '../media/sdp/required-fmtp.js';
import { CallDigest, type HeaderPair, isChallenge } from '../trunks/call-digest.js';
import { warningValue } from '../trunks/outbound.js';
import { crossingHeaders } from './header-policy.js';
import { CallHeaderRules, type LegPeer, UNKNOWN_PEER } from './header-rules-call.js';
import { type LegName, otherLeg } from './leg.js';
import type { RouteTarget } from './router.js';
import { CallSessionTimers, SESSION_TIMERS_OFF, type CallTimerSettings } from './session-timer-call.js';
import { SdpLedger } from './session-timer-sdp.js';

export type CallState = 'setup' | 'early' | 'established' | 'ending' | 'ended';

export interface CallDeps {
  engine: SipEngine;
  log: Logger;
  media: CallMedia;
  onEnded(call: Call): void;
  // Who each leg faces (header rules, Vonage) and the session timer settings;
  // absent: unknown peers, no session timers.
  legs?: CallLegs;
  // Take the media statistics as the call ends, for its record (outcome()).
  finalStats?: boolean;
}

export interface CallLegs {
  peers: Record<LegName, LegPeer>;
  /** One setting for both legs, or per leg (a trunk's own session_timer). */
  sessionTimer: CallTimerSettings;
}

export interface CallSnapshot {
  id: string;
  state: CallState;
  startedAt: string;
  target: { kind: 'trunk' | 'pbx'; name: string };
  callee: string;
  caller: string;
  media: unknown[];
}

// What a call record needs once the call has ended (src/cdr/).
export interface CallOutcome {
  id: string;
  startedAt: number; // ms since the epoch
  answeredAt: number | null;
  endedAt: number;
  caller: string;
  callee: string;
  target: { kind: 'trunk' | 'pbx'; name: string };
  status: number; // the final status the caller got (200 = answered); 0 = none recorded
  reason: string; // why it ended ("caller hung up", "media timeout", …); "" = the status says it
  media: Promise<unknown[]>; // per-stream statistics taken as the call ended
}

// What the b leg's INVITE looks like, minus the hop it goes to.
export interface OutboundInvite {
  ruriUser: string;
  from: { user: string; display: string };
  maxForwards: number;
}

// A far side that rings and never answers must not hold a call slot for
// ever (a proxy's timer C, RFC 3261 §16.6, is "greater than 3 minutes").
const RING_TIMEOUT_MS = 180_000;

const RELAYED_IN_DIALOG = new Set(['INVITE', 'UPDATE', 'INFO', 'OPTIONS', 'NOTIFY', 'MESSAGE']);
const CARRIES_OFFER = new Set(['INVITE', 'UPDATE']);

export class Call {
  state: CallState = 'setup';
  readonly startedAt = Date.now();
  private a: Dialog | undefined;
  private b: Dialog | undefined;
  private bTxn: ClientTransaction | undefined;
  private hop = 0;
  private canceled = false;
  private lateOffer = false; // the a-leg INVITE had no SDP: b's 200 carries the offer
  private acked = false; // the caller ACKed our 2xx
  private serial: Promise<void> = Promise.resolve();
  private offerSdp = '';
  // The caller's INVITE transaction until our final answer to it; then
  // dropped, so an established call does not keep the INVITE (headers, SDP).
  private invite: ServerTransaction | undefined;
  private ringTimer: NodeJS.Timeout | undefined;
  // For the call record: the first reason the call ended wins.
  private answeredAt: number | null = null;
  private endedAt = 0;
  private status = 0;
  private why = '';
  private finalMedia: Promise<unknown[]> = Promise.resolve([]);
  private hopTimer: NodeJS.Timeout | undefined; // a PBX list's timeout_ms (V-IN-3)
  // The host the SBC shows on each leg: the address the caller reached us
  // at, and the From host of the leg we originate.
  private readonly hostToward: Record<LegName, string>;
  // Every SDP crosses through here: the last one each leg agreed on answers
  // that leg's session refreshes (session-timer-sdp.ts).
  private readonly media: SdpLedger;
  private readonly rules: CallHeaderRules;
  private readonly timers: CallSessionTimers;
  // Digest toward the trunk of leg b (V-OUT-2); undefined for PBXs and trunks without credentials.
  private readonly digest: CallDigest | undefined;

  constructor(
    readonly id: string,
    private readonly deps: CallDeps,
    aTxn: ServerTransaction,
    private readonly target: RouteTarget,
    private readonly outbound: OutboundInvite,
  ) {
    this.invite = aTxn;
    const hop = target.hops[0]!;
    this.hostToward = {
      a: hostForUri(parseUri(aTxn.request.uri)?.host || 'edgesbc.invalid'),
      b: hostForUri(target.fromDomain || hop.host),
    };
    const peers = deps.legs?.peers ?? { a: UNKNOWN_PEER, b: UNKNOWN_PEER };
    this.rules = new CallHeaderRules(id, peers, deps.log);
    // A call with a Vonage leg carries Vonage's fmtp (G.729 annexb=no) on
    // both legs: the PBX must not send Annex B frames either (V-OUT-6).
    const fmtp = peers.a.vonage || peers.b.vonage ? vonageCodecList().fmtp : undefined;
    this.media = new SdpLedger(deps.media, fmtp ? (_to, sdp) => requireFmtp(sdp, fmtp) : undefined);
    this.timers = new CallSessionTimers(
      {
        id,
        log: deps.log,
        sdp: this.media,
        established: () => this.state === 'established',
        request: (leg, method, headers, body) => this.sendInDialog(leg, method, headers, body),
        ack: (leg) => this.dialogOf(leg)?.ack({}),
        step: (fn) => this.step(fn),
        hangup: (reason) => this.hangup(reason),
        toward: (leg, headers) => this.rules.toward(leg, headers),
      },
      deps.legs?.sessionTimer ?? SESSION_TIMERS_OFF,
    );
    const client = target.trunk?.digest;
    this.digest = client ? new CallDigest(client, deps.log, { call: id, trunk: target.name }) : undefined;
  }

  get log(): Logger {
    return this.deps.log;
  }

  // What the admin sees of a call in progress: where it goes and how its
  // media is doing, per leg.
  async snapshot(): Promise<CallSnapshot> {
    return {
      id: this.id,
      state: this.state,
      startedAt: new Date(this.startedAt).toISOString(),
      target: { kind: this.target.kind, name: this.target.name },
      callee: this.outbound.ruriUser,
      caller: this.outbound.from.user,
      media: await this.media.stats(),
    };
  }

  // The call record's facts (meaningful once ended).
  outcome(): CallOutcome {
    return {
      id: this.id,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      endedAt: this.endedAt || Date.now(),
      caller: this.outbound.from.user,
      callee: this.outbound.ruriUser,
      target: { kind: this.target.kind, name: this.target.name },
      status: this.status,
      reason: this.why,
      media: this.finalMedia,
    };
  }

  start(): void {
    const invite = this.invite;
    if (!invite) return;
    const req = invite.request;
    invite.on('cancel', () => this.onCancelFromA());
    this.lateOffer = req.body.length === 0;
    const tooSmall = this.timers.onInvite(req); // RFC 4028 §9: 422 before anything else
    if (tooSmall) {
      this.respondA(tooSmall.status, tooSmall.reason, tooSmall.headers);
      this.end();
      return;
    }
    this.step(async () => {
      try {
        this.offerSdp = this.lateOffer ? '' : await this.media.offer('a', req.body);
      } catch (err) {
        if (!(err instanceof MediaRefusal)) throw err;
        this.log.warn({ call: this.id, status: err.status, why: err.message }, 'call refused by media');
        this.respondA(err.status, err.status === 488 ? 'Not Acceptable Here' : 'Service Unavailable', [
          ['Warning', `399 ${this.hostToward.a} "${err.message.replace(/["\\]/g, "'")}"`],
        ]);
        this.end();
        return;
      }
      // A CANCEL (or hangup) handled while this step waited -- even one in
      // the same event batch as the INVITE -- found no b leg to cancel: the
      // caller already has its 487, so no INVITE may leave now.
      if (this.canceled) {
        this.end();
        return;
      }
      this.sendInvite();
    });
  }

  // Ends the call from our side: used by shutdown and by a dead leg.
  hangup(reason: string): void {
    if (this.state === 'ended') return;
    this.why ||= reason;
    this.log.info({ call: this.id, reason }, 'call hangup');
    if (this.state === 'setup' || this.state === 'early') {
      this.canceled = true;
      this.bTxn?.cancel();
      this.respondA(503, 'Service Unavailable');
      this.state = 'ending';
      return;
    }
    this.bye(this.a);
    this.bye(this.b);
    this.end();
  }

  // ---- leg b: the INVITE we originate ----------------------------------

  // `retryOf`: the INVITE sent again in the same call (same Call-ID and From
  // tag, CSeq + 1), after a 422 (RFC 4028 §7.4) or with `credentials` after
  // a digest challenge (V-OUT-2).
  private sendInvite(retryOf?: ClientTransaction, credentials?: HeaderPair[]): void {
    if (!this.invite) return;
    const req = this.invite.request;
    const t = this.target;
    const hop = t.hops[this.hop]!;
    const host = hostForUri(hop.host);
    const transport = hop.pbx?.transport ?? t.transport;
    const transportParam = transport === 'udp' ? '' : `;transport=${transport}`;
    // Port 0: the trunk resolves its host with RFC 3263 (SRV), so no port.
    const hostPort = hop.port ? `${host}:${hop.port}` : host;
    // A Programmable SIP domain names the application in the Request-URI
    // (V-PS-1); the INVITE still goes to the endpoint (nextHop).
    const ruriHost = t.ruriHost ? hostForUri(t.ruriHost) : undefined;
    const uri = `sip:${this.outbound.ruriUser}@${ruriHost ?? hostPort}${transportParam}`;
    // Credentials: a challenge's answer, the same again on a 422 re-send,
    // else the trunk's remembered nonce for a new INVITE.
    const auth = credentials ?? (retryOf ? this.digest?.inviteCredentials : this.digest?.startInvite(uri, this.offerSdp)) ?? [];
    const spec: RequestSpec = {
      method: 'INVITE',
      uri,
      side: hop.pbx?.side ?? t.side,
      transport,
      nextHop: hostPort,
      from: {
        uri: `sip:${this.outbound.from.user}@${t.fromDomain ? hostForUri(t.fromDomain) : host}`,
        display: this.outbound.from.display,
      },
      to: { uri: `sip:${this.outbound.ruriUser}@${ruriHost ?? host}` },
      contactUser: this.outbound.from.user,
      maxForwards: this.outbound.maxForwards,
      // 100rel is ours to offer on this leg whatever the caller supports:
      // the engine PRACKs for us.
      headers: [...this.rules.toward('b', [...this.timers.inviteHeaders(), ...crossingHeaders(req.headers.list(), this.hostToward.b)]), ...auth],
      body: this.offerSdp,
      ...(retryOf ? { retryOf } : {}),
    };
    const txn = this.deps.engine.request(spec);
    this.bTxn = txn;
    clearTimeout(this.ringTimer);
    this.ringTimer = setTimeout(() => this.onRingTimeout(txn), RING_TIMEOUT_MS);
    this.ringTimer.unref();
    clearTimeout(this.hopTimer);
    this.hopTimer = hop.pbx ? setTimeout(() => this.step(() => this.onHopTimeout(txn)), hop.pbx.timeoutMs) : undefined;
    this.hopTimer?.unref();
    // 100 Trying is hop-by-hop and crosses nothing: no step for it. It does
    // count as the PBX's response for timeout_ms (inbound-targets.ts).
    txn.on('provisional', (res, dialog) => {
      if (txn === this.bTxn) clearTimeout(this.hopTimer);
      if (res.status !== 100) this.step(() => this.onProvisionalFromB(txn, res, dialog));
    });
    txn.final.then(
      ({ response, dialog }) => this.step(() => this.onFinalFromB(txn, response, dialog)),
      (err: unknown) => this.step(() => this.onFailedB(txn, err)),
    );
  }

  private async onProvisionalFromB(txn: ClientTransaction, res: SipResponse, dialog: Dialog | undefined): Promise<void> {
    if (txn !== this.bTxn || this.canceled || this.state === 'ended' || res.status === 100) return;
    if (dialog) this.adopt('b', dialog); // early dialog: UPDATE/INFO may flow before the 200
    // Early media we cannot relay: the 18x still crosses, without its SDP.
    const body = res.body ? await this.mediaOrEmpty(() => this.media.answer('b', res.body)) : '';
    if (!this.invite || this.invite.final) return;
    this.state = 'early';
    // 100rel is per leg: reliable toward the caller when the far side sent
    // it reliably, and always when the caller's INVITE requires it (RFC 3262 4).
    const requires100rel = (v: string | undefined): boolean => /(^|,)\s*100rel\s*(,|$)/i.test(v ?? '');
    const reliable = requires100rel(res.headers.get('require')) || requires100rel(this.invite.request.headers.get('require'));
    const a = this.invite.respond(res.status, {
      reason: res.reason,
      headers: this.rules.toward('a', crossingHeaders(res.headers.list(), this.hostToward.a)),
      body,
      reliable,
    });
    if (a) this.adopt('a', a);
  }

  private async onFinalFromB(txn: ClientTransaction, res: SipResponse, dialog: Dialog | undefined): Promise<void> {
    if (txn !== this.bTxn) {
      // A PBX given up on after its timeout_ms answered 200 across our
      // CANCEL (RFC 3261 §9.1): confirm and hang up, nobody will use it.
      if (res.status >= 200 && res.status < 300 && dialog) {
        dialog.ack({});
        // Not this.bye(): that would move the call itself to 'ending'.
        dialog.request('BYE', { headers: this.rules.toward('b', []) }).final.catch(() => undefined);
      }
      return;
    }
    // Done with it: its settled promise holds the whole final response.
    this.bTxn = undefined;
    clearTimeout(this.hopTimer);
    clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
    if (res.status >= 200 && res.status < 300) {
      if (!dialog) {
        this.log.error({ call: this.id }, '2xx without dialog');
        return;
      }
      this.adopt('b', dialog);
      if (this.canceled || this.state === 'ended' || this.state === 'ending') {
        // A CANCEL crossed this 200 (RFC 3261 §9.1): confirm and tear down b.
        dialog.ack(this.ackOfB());
        this.bye(dialog);
        this.end();
        return;
      }
      let body = res.body;
      this.timers.onInviteAccepted(res.headers);
      this.digest?.noteContact(res.headers.get('contact'));
      if (!this.lateOffer) dialog.ack(this.ackOfB());
      try {
        if (body) body = await (this.lateOffer ? this.media.offer('b', body) : this.media.answer('b', body));
      } catch (err) {
        if (!(err instanceof MediaRefusal)) throw err;
        // The callee answered with SDP we cannot relay: it is up, so it gets
        // a BYE (after the ACK a late offer still owes it); the caller gets the refusal.
        this.log.warn({ call: this.id, status: err.status, why: err.message }, 'answer refused by media');
        if (this.lateOffer) dialog.ack(this.ackOfB());
        this.bye(dialog);
        this.respondA(err.status, err.status === 488 ? 'Not Acceptable Here' : 'Service Unavailable');
        this.end();
        return;
      }
      const a = this.invite?.respond(res.status, {
        reason: res.reason,
        headers: this.rules.toward('a', [...crossingHeaders(res.headers.list(), this.hostToward.a), ...this.timers.inviteAnswerHeaders()]),
        body,
      });
      if (a) this.adopt('a', a);
      this.timers.onInviteAnswered();
      this.invite = undefined;
      this.offerSdp = '';
      this.state = 'established';
      this.answeredAt = Date.now();
      this.status = res.status;
      return;
    }
    // Non-2xx final.
    if (this.canceled) {
      this.end();
      return;
    }
    if (this.timers.retryAfter422(res)) {
      this.sendInvite(txn);
      return;
    }
    if (isChallenge(res.status) && this.digest) return this.onChallengeFromB(txn, res);
    if (this.shouldFailOver(res) && this.hop + 1 < this.target.hops.length && this.state === 'setup') {
      this.hop += 1;
      this.log.warn({ call: this.id, status: res.status, hop: this.hop }, 'failing over to next hop');
      this.sendInvite();
      return;
    }
    const [status, reason] = relayedFinal(res);
    this.respondA(status, reason, crossingHeaders(res.headers.list(), this.hostToward.a));
    this.end();
  }

  private onRingTimeout(txn: ClientTransaction): void {
    if (txn !== this.bTxn || !this.invite || this.invite.final || this.state === 'ended') return;
    this.log.warn({ call: this.id, route: this.target.name }, 'no answer: ring timeout');
    this.canceled = true;
    this.state = 'ending';
    txn.cancel();
    this.respondA(408, 'Request Timeout');
  }

  // No response at all from this PBX of the list within its timeout_ms
  // (V-IN-3): CANCEL it (the engine holds the CANCEL until a provisional
  // arrives, RFC 3261 §9.1) and try the next; after the last, 408.
  private onHopTimeout(txn: ClientTransaction): void {
    if (txn !== this.bTxn || this.canceled || this.state !== 'setup' || !this.invite || this.invite.final) return;
    const timeoutMs = this.target.hops[this.hop]?.pbx?.timeoutMs;
    txn.cancel();
    if (this.hop + 1 < this.target.hops.length) {
      this.hop += 1;
      this.log.warn({ call: this.id, timeoutMs, hop: this.hop }, 'no response within timeout: next PBX');
      this.sendInvite();
      return;
    }
    this.log.warn({ call: this.id, timeoutMs }, 'no response within timeout from the last PBX');
    this.bTxn = undefined;
    this.respondA(408, 'Request Timeout');
    this.end();
  }

  private onFailedB(txn: ClientTransaction, err: unknown): void {
    if (txn !== this.bTxn) return;
    this.bTxn = undefined;
    this.log.error({ call: this.id, err }, 'b leg INVITE failed');
    if (!this.canceled) this.respondA(503, 'Service Unavailable');
    this.end();
  }

  // 5xx and local failures move on; 4xx and 6xx go back (failsOver).
  private shouldFailOver(res: SipResponse): boolean {
    return failsOver(res.status, res.local);
  }

  private onCancelFromA(): void {
    // The engine already answered the CANCEL 200 and the INVITE 487.
    this.canceled = true;
    this.why ||= 'caller cancelled';
    if (this.state !== 'established') this.status ||= 487;
    if (this.state === 'established') return; // too late: the call stands
    this.state = 'ending';
    this.bTxn?.cancel();
  }

  // ---- in-dialog traffic on either leg ----------------------------------

  // The early dialog of a 1xx becomes the confirmed one of the 2xx (same
  // object), so a dialog is watched once, when first seen.
  private adopt(leg: LegName, dialog: Dialog): void {
    if ((leg === 'a' ? this.a : this.b) === dialog) return;
    if (leg === 'a') this.a = dialog;
    else this.b = dialog;
    dialog.on('request', (st) => this.step(() => this.onInDialogRequest(leg, st)));
    dialog.on('ack', (ack) => this.step(() => this.onAck(leg, ack)));
    dialog.on('destroy', (reason) => this.onDialogGone(leg, reason));
  }

  private async onAck(leg: LegName, ack: SipRequest): Promise<void> {
    this.timers.onAck(leg, ack);
    if (leg !== 'a') return;
    // Only the caller's ACK proves it took our 200: a CANCEL crossing it may
    // have had the engine answer 487 first (then the a dialog ends 'canceled').
    if (!this.acked) {
      this.acked = true;
      this.log.debug({ call: this.id, route: this.target.name }, 'call established');
    }
    if (!this.lateOffer || !this.b) return;
    this.lateOffer = false;
    const body = ack.body ? await this.media.answer('a', ack.body) : '';
    this.b.ack(this.ackOfB(body));
  }

  private async onInDialogRequest(leg: LegName, st: ServerTransaction): Promise<void> {
    const method = st.request.method;
    const other = leg === 'a' ? this.b : this.a;
    if (method === 'BYE') {
      st.respond(200);
      this.why ||= leg === 'a' ? 'caller hung up' : 'callee hung up';
      this.bye(other);
      this.end();
      return;
    }
    if (!RELAYED_IN_DIALOG.has(method) || !other) {
      st.respond(method === 'REFER' || method === 'SUBSCRIBE' ? 405 : 501, {
        headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK']],
      });
      return;
    }
    // A session refresh that changes nothing is answered on its own leg.
    if (this.timers.answerLocally(leg, st)) return;
    const req = st.request;
    let body = req.body;
    if (body && CARRIES_OFFER.has(method)) {
      try {
        body = await this.media.offer(leg, body);
      } catch (err) {
        if (!(err instanceof MediaRefusal)) throw err;
        // RFC 3261 §14.2: a re-offer we cannot take leaves the session as it was.
        this.log.warn({ call: this.id, leg, method, why: err.message }, 're-offer refused by media');
        st.respond(err.status, { reason: err.status === 488 ? 'Not Acceptable Here' : 'Service Unavailable' });
        return;
      }
    }
    const toward = otherLeg(leg);
    const headers = [...crossingHeaders(req.headers.list(), this.hostToward[toward]), ...this.timers.relayHeaders(toward, method)];
    if (leg === 'b' && CARRIES_OFFER.has(method)) this.digest?.noteContact(req.headers.get('contact'));
    const { response } = await this.requestIn(toward, method, this.rules.toward(toward, headers), body);
    if (method === 'INVITE' && response.status >= 200 && response.status < 300) other.ack({});
    let answer = response.body;
    if (answer && CARRIES_OFFER.has(method)) answer = await this.media.answer(toward, answer);
    const [status, reason] = relayedFinal(response);
    const timerHeaders = this.timers.onRelayed(leg, toward, req, response);
    if (!st.final) {
      st.respond(status, { reason, headers: this.rules.toward(leg, [...crossingHeaders(response.headers.list(), this.hostToward[leg]), ...timerHeaders]), body: answer });
    }
  }

  private onDialogGone(leg: LegName, reason: string): void {
    if (this.state === 'ended') return;
    // An early dialog that dies with its INVITE: the final response decides.
    if (this.state === 'setup' || this.state === 'early') return;
    // Our own BYE completing, or the far side's BYE we already relayed.
    if (reason === 'bye' && this.state === 'ending') return;
    this.log.warn({ call: this.id, leg, reason }, 'dialog ended under the call');
    this.why ||= `${leg === 'a' ? 'caller' : 'callee'} dialog ended: ${reason}`;
    this.bye(leg === 'a' ? this.b : this.a);
    if (reason === 'ack-timeout') this.bye(leg === 'a' ? this.a : this.b);
    this.end();
  }

  // ---- helpers ------------------------------------------------------------

  private async mediaOrEmpty(fn: () => Promise<string> | string): Promise<string> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof MediaRefusal)) throw err;
      this.log.warn({ call: this.id, why: err.message }, 'early media SDP refused: 18x relayed without it');
      return '';
    }
  }

  private respondA(status: number, reason?: string, headers: Array<[string, string]> = []): void {
    if (!this.invite || this.invite.final) return;
    this.status = status;
    this.invite.respond(status, { reason, headers: this.rules.toward('a', headers) });
    this.invite = undefined;
  }

  private bye(dialog: Dialog | undefined): void {
    if (!dialog || dialog.state === 'terminated') return;
    this.state = this.state === 'ended' ? 'ended' : 'ending';
    const headers = this.rules.toward(dialog === this.a ? 'a' : 'b', []);
    if (dialog === this.b && this.digest) {
      this.digest.request('BYE', '', (auth) => dialog.request('BYE', { headers: [...headers, ...auth] })).catch(() => undefined);
      return;
    }
    dialog.request('BYE', { headers }).final.catch(() => undefined);
  }

  private dialogOf(leg: LegName): Dialog | undefined {
    const d = leg === 'a' ? this.a : this.b;
    return d && d.state !== 'terminated' ? d : undefined;
  }

  // An in-dialog request of our own (a session refresh) on `leg`.
  private sendInDialog(leg: LegName, method: string, headers: Array<[string, string]>, body: string): Promise<FinalResult> | undefined {
    return this.dialogOf(leg) ? this.requestIn(leg, method, this.rules.toward(leg, headers), body) : undefined;
  }

  // ---- digest toward a trunk (V-OUT-2, src/trunks/call-digest.ts) ----------

  // A 401/407 to our INVITE: re-sent once with credentials (twice after
  // stale=true), else the caller gets 403: the challenge is ours to answer,
  // never the PBX's (relayedFinal), and a second one means wrong credentials.
  private onChallengeFromB(txn: ClientTransaction, res: SipResponse): void {
    const credentials = this.digest?.answerInvite(res);
    if (credentials) {
      this.sendInvite(txn, credentials);
      return;
    }
    this.respondA(403, 'Forbidden', [['Warning', warningValue(this.hostToward.a, `trunk ${this.target.name} refused our credentials`)]]);
    this.end();
  }

  // The ACK of b's 2xx repeats the INVITE's credentials (RFC 3261 §13.2.2.4).
  private ackOfB(body = ''): { headers: HeaderPair[]; body: string } {
    const headers: HeaderPair[] = [...(this.digest?.inviteCredentials ?? [])];
    if (body) headers.push(['Content-Type', 'application/sdp']);
    return { headers, body };
  }

  // An in-dialog request on `leg` (headers final); toward a trunk, a challenge is answered.
  private requestIn(leg: LegName, method: string, headers: HeaderPair[], body: string): Promise<FinalResult> {
    const dialog = (leg === 'a' ? this.a : this.b)!;
    if (leg === 'b' && this.digest) {
      return this.digest.request(method, body, (auth) => dialog.request(method, { headers: [...headers, ...auth], body }));
    }
    return dialog.request(method, { headers, body }).final;
  }

  private end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.timers.close();
    clearTimeout(this.hopTimer);
    clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
    this.endedAt = Date.now();
    // Asked before close(): the relays still exist (close collects its own
    // stats for the log before it closes them).
    if (this.deps.finalStats) this.finalMedia = this.media.stats().catch(() => []);
    this.media.close();
    this.deps.onEnded(this);
  }

  private step(fn: () => void | Promise<void>): void {
    this.serial = this.serial.then(fn).catch((err: unknown) => {
      this.log.error({ call: this.id, err }, 'call step failed');
      this.hangup('internal error');
    });
  }
}

// What a caller sees for the far side's final answer. Codes pass through
// (486 stays 486, 503 stays 503, a 5xx stays that 5xx) except where passing
// them would make the caller act on the far side's topology or credentials.
export function relayedFinal(res: SipResponse): [number, string] {
  if (res.local) return res.status === 408 ? [408, 'Request Timeout'] : [503, 'Service Unavailable'];
  if (res.status >= 300 && res.status < 400) return [480, 'Temporarily Unavailable']; // a redirect's Contact is the far side's topology
  if (res.status === 401 || res.status === 407) return [403, 'Forbidden']; // challenges are answered by the SBC (V-OUT-2), never relayed
  return [res.status, res.reason];
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
