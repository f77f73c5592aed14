// Answering digest challenges for one trunk (V-OUT-2), with the rules that
// keep it safe:
//
// - A request chain (a request and its re-sends) answers each realm's
//   challenge once. A second challenge for a realm it already answered
//   means the credentials are wrong: give up (the caller answers the PBX
//   403), never loop. The one exception is stale=true (RFC 7616 §3.3: the
//   credentials were right, the nonce was old): re-sent once more with the
//   new nonce.
// - The last challenge of the trunk is remembered and its nonce reused on
//   the next out-of-dialog requests with nc + 1 (RFC 7616 §3.4: "nonce
//   count"), which saves a round trip per call. Credentials taken from that
//   memory do not count as an answer: when the server refuses them, the
//   chain still answers the fresh challenge once.
// - cnonce comes from the CSPRNG for every answer.
// - Nothing here logs; reasons returned never contain the secret or a
//   response hash.
import {
  answerChallenge,
  parseChallenges,
  pickChallenge,
  type DigestChallenge,
  type DigestCredentials,
  type DigestRequest,
} from './digest.js';

/** A remembered challenge older than this is not reused (servers expire nonces in minutes). */
export const NONCE_REUSE_MS = 240_000;
/** Hard bound on requests in one chain (original + re-sends), whatever the server does. */
export const MAX_CHAIN_REQUESTS = 4;

export type HeaderPair = [string, string];

interface Remembered {
  challenge: DigestChallenge;
  nc: number;
  at: number;
}

export type ChallengeOutcome =
  | { retry: true; headers: HeaderPair[]; realm: string; algorithm: string; stale: boolean }
  | { retry: false; reason: string; realm: string };

function keyOf(c: { proxy: boolean; realm: string }): string {
  return `${c.proxy ? 'proxy' : 'www'}|${c.realm}`;
}

/** Digest state of one trunk: shared by every call to it. */
export class DigestClient {
  #creds: DigestCredentials;
  #now: () => number;
  #remembered: Remembered | undefined;

  constructor(creds: DigestCredentials, now: () => number = Date.now) {
    this.#creds = creds;
    this.#now = now;
  }

  /** The digest username (the API key): safe to log. */
  get username(): string {
    return this.#creds.username;
  }

  /** A chain for one request and its re-sends. `preemptive`: reuse the remembered nonce now. */
  chain(req: DigestRequest, opts: { preemptive?: boolean } = {}): DigestChain {
    return new DigestChain(this, req, opts.preemptive ?? false);
  }

  /** @internal */
  _answer(ch: DigestChallenge, req: DigestRequest, nc: number): HeaderPair {
    const a = answerChallenge(ch, this.#creds, req, { nc });
    return [a.header, a.value];
  }

  /** @internal Credentials from the remembered challenge (nc + 1), if fresh enough. */
  _reuse(req: DigestRequest): { header: HeaderPair; key: string } | undefined {
    const r = this.#remembered;
    if (!r || this.#now() - r.at > NONCE_REUSE_MS) return undefined;
    r.nc += 1;
    return { header: this._answer(r.challenge, req, r.nc), key: keyOf(r.challenge) };
  }

  /** @internal A challenge was answered with nc=1: remember it for the next requests. */
  _remember(ch: DigestChallenge): void {
    this.#remembered = { challenge: ch, nc: 1, at: this.#now() };
  }

  /** @internal Forget a realm's nonce (refused, or the credentials are wrong). */
  _forget(key: string): void {
    if (this.#remembered && keyOf(this.#remembered.challenge) === key) this.#remembered = undefined;
  }
}

export class DigestChain {
  #client: DigestClient;
  #req: DigestRequest;
  // Credentials the next (re-)send carries, by challenge kind and realm.
  #creds = new Map<string, HeaderPair>();
  // How the credentials of each key came about.
  #origin = new Map<string, 'reused' | 'answered'>();
  #staleRetried = false;
  #requests = 1;

  /** @internal */
  constructor(client: DigestClient, req: DigestRequest, preemptive: boolean) {
    this.#client = client;
    this.#req = req;
    if (preemptive) {
      const r = client._reuse(req);
      if (r) {
        this.#creds.set(r.key, r.header);
        this.#origin.set(r.key, 'reused');
      }
    }
  }

  /** Authorization / Proxy-Authorization headers for the request as sent now (and its 2xx ACK). */
  get headers(): HeaderPair[] {
    return [...this.#creds.values()];
  }

  /** Requests sent in this chain so far. */
  get requests(): number {
    return this.#requests;
  }

  /**
   * A 401/407 arrived for the request last sent: re-send with `headers`, or
   * give up for `reason`. `header` is the response's header reader.
   */
  onChallenge(status: number, header: (name: string) => string[]): ChallengeOutcome {
    const proxy = status === 407;
    const values = header(proxy ? 'proxy-authenticate' : 'www-authenticate');
    const offered = values.flatMap((v) => parseChallenges(v, proxy));
    const ch = pickChallenge(offered);
    if (!ch) {
      const schemes = values.map((v) => v.trim().split(/\s+/)[0] ?? '').filter((s) => s !== '');
      return {
        retry: false,
        realm: '',
        reason: `${status} with no digest challenge we can answer (offered: ${schemes.join(', ') || 'nothing'})`,
      };
    }
    if (this.#requests >= MAX_CHAIN_REQUESTS) {
      this.#client._forget(keyOf(ch));
      return { retry: false, realm: ch.realm, reason: `still challenged after ${this.#requests} requests` };
    }
    const key = keyOf(ch);
    const before = this.#origin.get(key);
    if (before === 'answered') {
      if (!ch.stale || this.#staleRetried) {
        this.#client._forget(key);
        return {
          retry: false,
          realm: ch.realm,
          reason: ch.stale
            ? `realm "${ch.realm}" answered stale=true twice in a row`
            : `realm "${ch.realm}" challenged again after our credentials: wrong api_key or api_secret`,
        };
      }
      this.#staleRetried = true;
    }
    this.#creds.set(key, this.#client._answer(ch, this.#req, 1));
    this.#origin.set(key, 'answered');
    this.#client._remember(ch);
    this.#requests += 1;
    return { retry: true, headers: this.headers, realm: ch.realm, algorithm: ch.algorithm, stale: ch.stale };
  }
}
