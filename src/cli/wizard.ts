// `sbc setup`, the first-boot wizard (also shown at the first login while
// the admin password is still the generated one or the config is still the
// embedded default): the admin password, the LAN address and the first
// Vonage trunk, then the diff, then commit. Every answer goes through the
// same `set` machinery and the same API as a typed command; the store's
// refusals come back with their paths and the question is asked again.
import { isDeepStrictEqual } from 'node:util';
import { defaultConfig } from '../config/default-config.js';
import type { SbcdClient } from './client.js';
import { applyDelete, applySet } from './edit.js';
import { CliError, refused } from './errors.js';
import type { Io } from './io.js';
import { VONAGE_REGIONS } from '../config/schema/trunk.js';

type Obj = Record<string, unknown>;

const ATTEMPTS = 3;
const TRUNK = 'vonage';
const ENDPOINT_SET = 'vonage-current';
const COUNTRY_OF_REGION: Record<string, string> = { us: 'US', eu: 'GB', ap: 'AU' };

// Whether the running config is still what a fresh box ships with.
export function isEmbeddedDefault(running: Obj): boolean {
  return isDeepStrictEqual(running, defaultConfig() as unknown as Obj);
}

async function ask(io: Io, question: string, def: string, check: (v: string) => string | undefined): Promise<string> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const a = await io.readLine(`${question}${def ? ` [${def}]` : ''}: `);
    if (a === undefined) throw refused('setup stopped: no more input');
    const v = a.trim() || def;
    const problem = check(v);
    if (!problem) return v;
    io.err(`  ${problem}`);
  }
  throw refused(`setup stopped: ${question.toLowerCase()} refused ${ATTEMPTS} times`);
}

async function askSecret(io: Io, question: string, check: (v: string) => string | undefined, twice: boolean): Promise<string> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const a = await io.readSecret(`${question} (not shown): `);
    if (a === undefined) throw refused('setup stopped: no more input');
    const problem = check(a);
    if (problem) {
      io.err(`  ${problem}`);
      continue;
    }
    if (twice) {
      const b = await io.readSecret('again, to be sure (not shown): ');
      if (b === undefined) throw refused('setup stopped: no more input');
      if (a !== b) {
        io.err('  the two differ: once more');
        continue;
      }
    }
    return a;
  }
  throw refused(`setup stopped: ${question.toLowerCase()} refused ${ATTEMPTS} times`);
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const looksLikeIp = (v: string): boolean => ipv4.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v));

export async function runWizard(client: SbcdClient, io: Io, opts: { json: boolean }): Promise<void> {
  const me = client.me;
  if (!me) throw refused('not logged in');
  io.out('EdgeSBC setup: the admin password, the LAN address and the first Vonage trunk.');
  io.out('Nothing changes until you commit at the end; Ctrl-D stops.');

  // 1. The password, first: until the generated one is replaced, sbcd refuses everything else.
  const mustChange = me.mustChangePassword;
  io.out(`\n1. Password of the EdgeSBC account "${me.user.name}" (web UI and API)${mustChange ? '' : ': empty keeps the current one'}`);
  const password = await askSecret(
    io,
    'new password',
    (v) => (v === '' && !mustChange ? undefined : v.length < 8 ? 'at least 8 characters' : v.length > 1024 ? 'at most 1024 characters' : undefined),
    true,
  );
  if (password) {
    await client.setOwnPassword(password);
    io.out('   password changed');
  }

  // 2. The LAN address (the PBX side; the web UI listens there too).
  let doc = await client.get<Obj>('/config/candidate');
  const sides = doc.sides as Record<string, { addresses?: string[] }> | undefined;
  const currentLan = sides?.lan?.addresses?.[0] ?? '';
  io.out('\n2. The LAN side (your PBXs, the web UI)');
  const lan = await ask(io, 'LAN address of this box', currentLan, (v) => (looksLikeIp(v) ? undefined : `"${v}" is not an IPv4 or IPv6 address`));
  doc = applySet(doc, ['sides', 'lan', 'addresses', lan]).doc;

  // 3. The Vonage trunk (Vonage's published endpoints; digest with the API key and secret).
  io.out('\n3. The Vonage SIP trunk (Vonage dashboard: API key and secret)');
  const key = await ask(io, 'Vonage API key', '', (v) => (/^[^"\\\s]{1,128}$/.test(v) ? undefined : 'the key: 1..128 characters, no blanks or quotes'));
  const secret = await askSecret(io, 'Vonage API secret', (v) => (v && v.length <= 256 && !/[\r\n]/.test(v) ? undefined : 'the secret: 1..256 characters'), false);
  const regions = VONAGE_REGIONS.filter((r) => r !== '');
  const region = await ask(io, `Region (${regions.join(', ')})`, 'eu', (v) => ((regions as readonly string[]).includes(v) ? undefined : `one of ${regions.join(', ')}`));
  const country = await ask(io, 'Country of your national numbers (ISO code)', COUNTRY_OF_REGION[region] ?? '', (v) =>
    /^[A-Z]{2}$/.test(v) ? undefined : 'two capital letters, e.g. US, GB, DE',
  );
  // TLS towards Vonage (V-OUT-9) when the WAN side listens for TLS, else UDP.
  const wan = (doc.sides as Record<string, { tls?: number }> | undefined)?.wan;
  const transport = wan?.tls ? 'tls' : 'udp';
  if (transport === 'udp') io.out('   (the WAN side has TLS off: the trunk uses UDP; set sides wan tls 5061 and trunks vonage transport tls later)');
  const trunks = (doc.trunks ?? []) as Obj[];
  if (trunks.some((t) => t.name === TRUNK)) doc = applyDelete(doc, ['trunks', TRUNK, 'endpoints']).doc;
  doc = applySet(doc, [
    'trunks', TRUNK, 'kind', 'vonage', 'transport', transport, 'region', region, 'endpoint_set', ENDPOINT_SET,
    'api_key', key, 'api_secret', secret, 'country', country, 'enabled', 'true',
  ]).doc;

  try {
    await client.call('PUT', '/config/candidate', doc);
  } catch (err) {
    if (err instanceof CliError) io.err('sbcd refused these answers; nothing was committed.');
    throw err;
  }

  // 4. What will change, then commit.
  const diff = await client.get<{ changes: Array<{ path: string; op: string; from?: unknown; to?: unknown }> }>('/config/diff');
  io.out('\n4. What commit will change:');
  for (const c of diff.changes) {
    io.out(c.op === 'add' ? `   + ${c.path}: ${JSON.stringify(c.to)}` : c.op === 'remove' ? `   - ${c.path}` : `   ~ ${c.path}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`);
  }
  const yes = await ask(io, 'Commit? (yes/no)', 'yes', (v) => (/^(y|yes|n|no)$/i.test(v) ? undefined : 'yes or no'));
  if (/^n/i.test(yes)) {
    io.out('Not committed: the answers stay in the candidate (configure, then show | compare, commit or discard).');
    return;
  }
  const c = await client.call<{ id: number }>('POST', '/config/commit', { comment: 'first-boot setup (sbc setup)' });
  if (opts.json) io.out(JSON.stringify({ commit: c.id }));
  io.out(`Committed (commit ${c.id}). A new LAN address takes effect when sbcd restarts (systemctl restart sbcd).`);
}
