// Digest on the leg of one call that goes to a trunk (V-OUT-2): the INVITE
// (with the trunk's remembered nonce, then at most the answers
// digest-session.ts allows), the credentials its 2xx ACK repeats (RFC 3261
// §13.2.2.4), and in-dialog requests (BYE, re-INVITE, UPDATE, INFO,
// OPTIONS) that get challenged. Call control asks; this decides and logs
// why it gave up (realm, key, reason: never the secret or a response hash).
import type { Logger } from '../log.js';
import { parseNameAddr, type ClientTransaction, type FinalResult, type SipResponse } from '../sip/index.js';
import type { DigestChain, DigestClient, HeaderPair } from './digest-session.js';

export type { HeaderPair };

export function isChallenge(status: number): boolean {
  return status === 401 || status === 407;
}

export class CallDigest {
  #client: DigestClient;
  #log: Logger;
  #ctx: Record<string, string>;
  #invite: DigestChain | undefined;
  // The remote target of the dialog: the Request-URI of its in-dialog requests.
  #target: string | undefined;

  constructor(client: DigestClient, log: Logger, ctx: { call: string; trunk: string }) {
    this.#client = client;
    this.#log = log;
    this.#ctx = { ...ctx, user: client.username };
  }

  /** Credentials for the first send of an INVITE to `uri` (the remembered nonce, nc + 1), if any. */
  startInvite(uri: string, body: string): HeaderPair[] {
    this.#invite = this.#client.chain({ method: 'INVITE', uri, body }, { preemptive: true });
    return this.#invite.headers;
  }

  /** 401/407 to our INVITE: the credentials to re-send it with, or undefined to give up (logged). */
  answerInvite(res: SipResponse): HeaderPair[] | undefined {
    if (!this.#invite) return undefined;
    return this.#answer(this.#invite, res, 'INVITE');
  }

  /** What the INVITE last carried: its 2xx ACK carries the same. */
  get inviteCredentials(): HeaderPair[] {
    return this.#invite?.headers ?? [];
  }

  /** A Contact from the far side (2xx, target refresh): later in-dialog requests go there. */
  noteContact(contact: string | undefined): void {
    const na = contact ? parseNameAddr(contact) : null;
    if (na?.uri) this.#target = na.uri;
  }

  /**
   * Sends an in-dialog request through `send` and answers one challenge
   * round; resolves with the last final response (a challenge we gave up on
   * stays a 401/407 for the caller to map).
   */
  async request(method: string, body: string, send: (credentials: HeaderPair[]) => ClientTransaction): Promise<FinalResult> {
    let result = await send([]).final;
    if (!isChallenge(result.response.status)) return result;
    if (this.#target === undefined) {
      this.#log.warn({ ...this.#ctx, method, status: result.response.status }, 'digest: challenged in dialog, remote target unknown');
      return result;
    }
    const chain = this.#client.chain({ method, uri: this.#target, body });
    for (;;) {
      const creds = this.#answer(chain, result.response, method);
      if (!creds) return result;
      result = await send(creds).final;
      if (!isChallenge(result.response.status)) return result;
    }
  }

  #answer(chain: DigestChain, res: SipResponse, method: string): HeaderPair[] | undefined {
    const out = chain.onChallenge(res.status, (name) => res.headers.getAll(name));
    if (out.retry) {
      this.#log.debug({ ...this.#ctx, method, status: res.status, realm: out.realm, algorithm: out.algorithm, stale: out.stale }, 'digest: answering challenge');
      return out.headers;
    }
    this.#log.warn({ ...this.#ctx, method, status: res.status, realm: out.realm, why: out.reason }, 'digest: giving up');
    return undefined;
  }
}
