// The SBC as registrar for its PBXs (issue 5 item 1, issue 7 item 4): a PBX
// whose registration mode is `register` sends REGISTER to the SBC on its
// side; we challenge (401, MD5 and SHA-256, RFC 8760; order in verify.ts), verify with
// our own expiring nonces, keep its contacts (bindings.ts) and answer 200
// with them. Calls for the PBX then go to the registered contact
// (targets.ts). Each failed verification is reported (onAuthFailure: the
// firewall bans a source after N of them, src/firewall/ban-policy.ts).
import type { ConfigDocument, PbxConfig } from '../config/document.js';
import type { Logger } from '../log.js';
import type { ServerTransaction } from '../sip/index.js';
import { BindingTable, type Binding } from './bindings.js';
import { MAX_EXPIRES_S, MIN_EXPIRES_S, parseContacts } from './contacts.js';
import { parseCredentials } from './credentials.js';
import { NONCE_LIFETIME_S, NonceIssuer } from './nonce.js';
import { NonceCounts } from './nonce-counts.js';
import { OFFERED_ALGORITHMS, verifyResponse } from './verify.js';

export interface RegistrarOptions {
  log: Logger;
  // A REGISTER from `ip` failed digest verification.
  onAuthFailure?: (ip: string) => void;
  clock?: () => number;
  nonceLifetimeS?: number;
}

// Registering PBXs by digest username.
function accountsOf(doc: ConfigDocument): Map<string, PbxConfig> {
  const out = new Map<string, PbxConfig>();
  for (const p of doc.pbxs) {
    const r = p.registration;
    if (p.enabled === false || r?.mode !== 'register' || r.username === '' || r.password === '') continue;
    if (!out.has(r.username)) out.set(r.username, p);
  }
  return out;
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

export class Registrar {
  private accounts: Map<string, PbxConfig>;
  private realm: string;
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly bindings: BindingTable;
  private readonly log: Logger;

  constructor(
    doc: ConfigDocument,
    private readonly opts: RegistrarOptions,
  ) {
    this.log = opts.log;
    this.nonces = new NonceIssuer(opts.clock, opts.nonceLifetimeS);
    this.counts = new NonceCounts((opts.nonceLifetimeS ?? NONCE_LIFETIME_S) * 1000, opts.clock);
    this.bindings = new BindingTable(opts.clock);
    this.accounts = accountsOf(doc);
    this.realm = realmOf(doc);
  }

  // A commit: bindings stay for PBXs that still register with the same
  // username and side; the others are forgotten.
  applyConfig(doc: ConfigDocument): void {
    const before = this.accounts;
    this.accounts = accountsOf(doc);
    this.realm = realmOf(doc);
    const kept = new Set<string>();
    for (const [user, p] of this.accounts) {
      const old = before.get(user);
      if (old && old.name === p.name && old.side === p.side) kept.add(p.name);
    }
    this.bindings.retain(kept);
  }

  // Whether any PBX registers (no: REGISTER is refused with 405 as before).
  get active(): boolean {
    return this.accounts.size > 0;
  }

  isRegistering(pbx: string): boolean {
    return [...this.accounts.values()].some((p) => p.name === pbx);
  }

  // The contact a call for `pbx` goes to: the most recently refreshed one.
  contactOf(pbx: string): Binding | undefined {
    return this.bindings.of(pbx)[0];
  }

  // The registered PBX a request from ip on side came from.
  pbxFrom(side: string, ip: string): string | undefined {
    return this.bindings.pbxFrom(side, ip);
  }

  onRegister(st: ServerTransaction): void {
    const req = st.request;
    const ip = req.source.ip;
    const cred = parseCredentials(req.headers.getAll('authorization'));
    if (!cred) return this.challenge(st, false);
    const nonce = this.nonces.check(cred.nonce);
    // Not one of ours (or from before a restart): challenge again; nothing
    // was verified, so nothing failed.
    if (nonce === 'invalid') return this.challenge(st, false);
    const account = this.accounts.get(cred.username);
    // An unknown username costs the same work and gets the same answer as a
    // wrong password: the answer does not tell which usernames exist.
    const verdict = verifyResponse(cred, account?.registration.password ?? '\u0000no-such-user', this.realm, 'REGISTER');
    if (!verdict.ok || !account) {
      const why = !account ? 'unknown username' : verdict.ok ? '' : verdict.why;
      this.log.warn({ ip, side: req.side, username: cred.username.slice(0, 64), why }, 'registration refused: digest verification failed');
      this.opts.onAuthFailure?.(ip);
      st.respond(403, { reason: 'Forbidden (bad credentials)' });
      return;
    }
    if (nonce === 'stale') return this.challenge(st, true);
    // A right answer whose nonce count was used before: a replay (or a
    // retransmission of a REGISTER already answered). Challenged again.
    if (!this.counts.accept(cred.nonce, parseInt(cred.nc, 16))) {
      this.log.warn({ ip, pbx: account.name, nc: cred.nc }, 'registration refused: nonce count replayed');
      return this.challenge(st, false);
    }
    if (req.side !== account.side) {
      this.log.warn({ ip, pbx: account.name, side: req.side, expected: account.side }, 'registration refused: wrong side');
      st.respond(403, { reason: `Forbidden (PBX ${account.name} registers on side ${account.side})` });
      return;
    }
    this.updateBindings(st, account);
  }

  private updateBindings(st: ServerTransaction, pbx: PbxConfig): void {
    const req = st.request;
    const list = parseContacts(req.headers);
    if (list.kind === 'bad') {
      st.respond(400, { reason: `Bad Request (${list.why})` });
      return;
    }
    if (list.kind === 'remove-all') {
      this.bindings.removeAll(pbx.name);
      this.log.info({ pbx: pbx.name }, 'PBX unregistered (all contacts)');
    } else if (list.kind === 'update') {
      const tooBrief = list.contacts.some((c) => c.expiresS !== 0 && c.expiresS < MIN_EXPIRES_S);
      if (tooBrief) {
        st.respond(423, { reason: 'Interval Too Brief', headers: [['Min-Expires', String(MIN_EXPIRES_S)]] });
        return;
      }
      const contacts = list.contacts.map((c) => ({ ...c, expiresS: Math.min(c.expiresS, MAX_EXPIRES_S) }));
      const from = { side: req.side, ip: req.source.ip, port: req.source.port, transport: req.transport };
      this.bindings.update(pbx.name, contacts, from);
      for (const c of contacts) {
        this.log.info({ pbx: pbx.name, contact: c.uri.slice(0, 200), expiresS: c.expiresS, source: `${from.ip}:${from.port}` },
          c.expiresS === 0 ? 'PBX contact removed' : 'PBX registered');
      }
    }
    const headers: [string, string][] = this.bindings
      .of(pbx.name)
      .map((b) => ['Contact', `<${b.uri}>;expires=${this.bindings.secondsLeft(b)}`]);
    st.respond(200, { headers });
  }

  private challenge(st: ServerTransaction, stale: boolean): void {
    const nonce = this.nonces.issue();
    const headers: [string, string][] = OFFERED_ALGORITHMS.map((alg) => [
      'WWW-Authenticate',
      `Digest realm=${quote(this.realm)}, nonce=${quote(nonce)}, algorithm=${alg}, qop="auth"${stale ? ', stale=true' : ''}`,
    ]);
    st.respond(401, { reason: 'Unauthorized', headers });
  }
}

function realmOf(doc: ConfigDocument): string {
  return doc.system.name || 'edgesbc';
}
