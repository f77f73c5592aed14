// Digest (V-OUT-2): the computation against the RFC examples, challenge
// parsing, algorithm choice, and the chain rules that keep the SBC from
// looping on challenges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerChallenge, newCnonce, parseChallenges, pickChallenge } from '../../../src/trunks/digest.js';
import { DigestClient, MAX_CHAIN_REQUESTS, NONCE_REUSE_MS } from '../../../src/trunks/digest-session.js';

const MUFASA_7616 = { username: 'Mufasa', password: 'Circle of Life' };
const RFC7616_CHALLENGES = [
  'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
];
const GET_DIR = { method: 'GET', uri: '/dir/index.html' };

test('V-OUT-2: RFC 7616 §3.9.1 example, MD5 and SHA-256 responses', () => {
  const [sha, md5] = RFC7616_CHALLENGES.map((v) => parseChallenges(v, false)[0]!);
  assert.equal(sha!.algorithm, 'SHA-256');
  assert.deepEqual(sha!.qop, ['auth', 'auth-int']);
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  const a = answerChallenge(md5!, MUFASA_7616, GET_DIR, { nc: 1, cnonce });
  assert.equal(a.response, '8ca523f5e9506fed4657c9700eebdbec');
  const b = answerChallenge(sha!, MUFASA_7616, GET_DIR, { nc: 1, cnonce });
  assert.equal(b.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(b.header, 'Authorization');
  assert.equal(
    b.value,
    'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
      'uri="/dir/index.html", response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", algorithm=SHA-256, ' +
      'qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
});

test('V-OUT-2: RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const [ch] = parseChallenges(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    false,
  );
  assert.equal(ch!.algorithm, 'MD5', 'no algorithm means MD5');
  const a = answerChallenge(ch!, { username: 'Mufasa', password: 'Circle Of Life' }, GET_DIR, { nc: 1, cnonce: '0a4f113b' });
  assert.equal(a.response, '6629fae49393a05397450978507c4ef1');
});

test('V-OUT-2: SHA-256 is preferred when the challenge offers it, in either order, in one header or several', () => {
  const both = parseChallenges(`${RFC7616_CHALLENGES[1]}, ${RFC7616_CHALLENGES[0]}`, true);
  assert.deepEqual(both.map((c) => c.algorithm), ['MD5', 'SHA-256']);
  assert.ok(both.every((c) => c.proxy));
  assert.equal(pickChallenge(both)!.algorithm, 'SHA-256');
  assert.equal(pickChallenge(both.reverse())!.algorithm, 'SHA-256');
  // Unknown algorithms and other schemes are skipped, not misread.
  const odd = parseChallenges('Basic realm="x", Digest realm="r", nonce="n", algorithm=SHA3-999, Digest realm="r", nonce="n2", stale=TRUE', false);
  assert.equal(odd.length, 1);
  assert.equal(odd[0]!.nonce, 'n2');
  assert.equal(odd[0]!.stale, true);
  // A quoted value may hold commas and escaped quotes.
  const [q] = parseChallenges('Digest realm="a, \\"b\\"", nonce="x"', false);
  assert.equal(q!.realm, 'a, "b"');
});

test('V-OUT-2: without qop (RFC 2069 form) there is no nc/cnonce; -sess folds the nonces into HA1', () => {
  const [old] = parseChallenges('Digest realm="r", nonce="n"', false);
  const a = answerChallenge(old!, { username: 'k', password: 's' }, { method: 'INVITE', uri: 'sip:1@h' }, { nc: 1 });
  assert.doesNotMatch(a.value, /nc=|cnonce=|qop=/);
  const [sess] = parseChallenges('Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess', false);
  const s1 = answerChallenge(sess!, { username: 'k', password: 's' }, { method: 'INVITE', uri: 'sip:1@h' }, { nc: 1, cnonce: 'c1' });
  const s2 = answerChallenge(sess!, { username: 'k', password: 's' }, { method: 'INVITE', uri: 'sip:1@h' }, { nc: 1, cnonce: 'c2' });
  assert.notEqual(s1.response, s2.response);
  assert.match(s1.value, /algorithm=MD5-sess/);
});

test('V-OUT-2: cnonce comes from the CSPRNG: 128 bits, never repeated', () => {
  const seen = new Set(Array.from({ length: 1000 }, newCnonce));
  assert.equal(seen.size, 1000);
  for (const c of seen) assert.match(c, /^[0-9a-f]{32}$/);
});

const INVITE = { method: 'INVITE', uri: 'sip:14155550100@sip-us-3-1.vonage.com:5061;transport=tls' };
const headerReader = (name: string, value: string) => (n: string) => (n === name ? [value] : []);
const PROXY_CH = (nonce: string, stale = false) =>
  headerReader('proxy-authenticate', `Digest realm="vonage.test", nonce="${nonce}", qop="auth"${stale ? ', stale=true' : ''}`);

test('V-OUT-2: one challenge is answered once; a second challenge after our credentials gives up (no loop), without the secret', () => {
  const client = new DigestClient({ username: 'a1b2c3d4', password: 'Xq7TestSecret9Zk' });
  const chain = client.chain(INVITE, { preemptive: true });
  assert.deepEqual(chain.headers, [], 'nothing remembered yet: no credentials on the first INVITE');
  const first = chain.onChallenge(407, PROXY_CH('n1'));
  assert.equal(first.retry, true);
  assert.ok(first.retry && first.headers.length === 1 && first.headers[0]![0] === 'Proxy-Authorization');
  assert.match(first.retry ? first.headers[0]![1] : '', /username="a1b2c3d4", realm="vonage\.test", nonce="n1", uri="sip:14155550100@sip-us-3-1\.vonage\.com:5061;transport=tls"/);
  const second = chain.onChallenge(407, PROXY_CH('n2'));
  assert.equal(second.retry, false);
  assert.match(second.retry ? '' : second.reason, /challenged again after our credentials: wrong api_key or api_secret/);
  assert.ok(!JSON.stringify(second).includes('Xq7TestSecret9Zk'));
  // The refused nonce is forgotten: the next call starts clean.
  assert.deepEqual(client.chain(INVITE, { preemptive: true }).headers, []);
});

test('V-OUT-2: stale=true after our credentials is re-sent once with the new nonce, twice is the end', () => {
  const chain = new DigestClient({ username: 'k', password: 's' }).chain(INVITE);
  assert.equal(chain.onChallenge(401, headerReader('www-authenticate', 'Digest realm="r", nonce="n1", qop="auth"')).retry, true);
  const stale = chain.onChallenge(401, headerReader('www-authenticate', 'Digest realm="r", nonce="n2", qop="auth", stale=true'));
  assert.equal(stale.retry, true);
  assert.match(stale.retry ? stale.headers[0]![1] : '', /nonce="n2"/);
  assert.ok(stale.retry && stale.headers[0]![0] === 'Authorization');
  const again = chain.onChallenge(401, headerReader('www-authenticate', 'Digest realm="r", nonce="n3", qop="auth", stale=true'));
  assert.equal(again.retry, false);
  assert.match(again.retry ? '' : again.reason, /stale=true twice/);
});

test('V-OUT-2: the next request reuses the nonce with nc + 1; a refused reused nonce still gets one fresh answer', () => {
  let now = 0;
  const client = new DigestClient({ username: 'k', password: 's' }, () => now);
  client.chain(INVITE).onChallenge(407, PROXY_CH('n1'));
  const next = client.chain({ ...INVITE, uri: 'sip:447700900000@sip-us-3-1.vonage.com' }, { preemptive: true });
  assert.match(next.headers[0]![1], /nonce="n1".*uri="sip:447700900000@sip-us-3-1\.vonage\.com".*nc=00000002/);
  assert.match(client.chain(INVITE, { preemptive: true }).headers[0]![1], /nc=00000003/);
  // The server no longer takes n1 (expired: stale) -> answered, and remembered.
  const r = next.onChallenge(407, PROXY_CH('n9', true));
  assert.equal(r.retry, true);
  assert.match(client.chain(INVITE, { preemptive: true }).headers[0]![1], /nonce="n9".*nc=00000002/);
  // Not even a refused non-stale reuse is taken for wrong credentials.
  const c3 = client.chain(INVITE, { preemptive: true });
  assert.equal(c3.onChallenge(407, PROXY_CH('n10')).retry, true);
  assert.equal(c3.onChallenge(407, PROXY_CH('n11')).retry, false);
  // Too old to reuse.
  client.chain(INVITE).onChallenge(407, PROXY_CH('n20'));
  now += NONCE_REUSE_MS + 1;
  assert.deepEqual(client.chain(INVITE, { preemptive: true }).headers, []);
});

test('V-OUT-2: a chain never exceeds its bound, whatever the server sends; no usable challenge = give up', () => {
  const chain = new DigestClient({ username: 'k', password: 's' }).chain(INVITE);
  let sent = 1;
  for (let i = 0; i < 20; i++) {
    // A new realm each time: never "the same realm again".
    const r = chain.onChallenge(401, headerReader('www-authenticate', `Digest realm="r${i}", nonce="n${i}"`));
    if (!r.retry) break;
    sent++;
  }
  assert.equal(sent, MAX_CHAIN_REQUESTS);
  const none = new DigestClient({ username: 'k', password: 's' }).chain(INVITE).onChallenge(401, headerReader('www-authenticate', 'Basic realm="x"'));
  assert.equal(none.retry, false);
  assert.match(none.retry ? '' : none.reason, /no digest challenge we can answer \(offered: Basic\)/);
});
