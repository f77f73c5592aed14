// Vonage endpoint sets as data (V-OUT-1, V-OUT-3): data/vonage/endpoints/
// holds one JSON file per published list (current and legacy generations),
// each with its date and the document it was read from. They are loaded and
// checked once per process (sbcd does it at start, so a broken file stops
// the daemon with the file and the reason); a trunk names a set with
// `endpoint_set`. Editing a list means adding a file: a config naming a set
// keeps meaning the same hosts.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transport, VonageRegion } from '../config/document.js';

export type Region = Exclude<VonageRegion, ''>;

export interface SetEndpoint {
  host: string;
  /** The site the document names ("Virginia", "London", …). */
  site: string;
  region: Region;
}

export interface EndpointSet {
  name: string;
  generation: 'current' | 'legacy';
  description: string;
  /** Date printed on the list (YYYY-MM-DD); "" when the document has none. */
  published: string;
  publishedNote: string;
  /** When the list was copied into EdgeSBC (YYYY-MM-DD). */
  recorded: string;
  /** Where it was read (document, section, seed file, spec ids). */
  source: string;
  /** Lowest TLS version the document accepts (informational). */
  tlsMinVersion: string;
  ports: Record<Transport, number>;
  /** RFC 3263 entry names by region; the key "" serves every region. */
  srvDomains: Partial<Record<Region | '', string>>;
  /** In the document's order. */
  endpoints: SetEndpoint[];
}

export class EndpointSetError extends Error {
  readonly code = 'ERR_ENDPOINT_SET';

  constructor(file: string, reason: string) {
    super(`endpoint set ${file}: ${reason}`);
    this.name = 'EndpointSetError';
  }
}

// dist/src/trunks/ -> checkout root.
export const ENDPOINT_SET_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'vonage', 'endpoints');

const REGIONS: readonly string[] = ['us', 'eu', 'ap'];
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(o: Obj, key: string, file: string, allowEmpty = false): string {
  const v = o[key];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) throw new EndpointSetError(file, `"${key}" must be a non-empty string`);
  return v;
}

function port(v: unknown, what: string, file: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new EndpointSetError(file, `${what} must be a port 1..65535`);
  return v;
}

/** Checks one file's content; throws EndpointSetError naming the file and the field. */
export function parseEndpointSet(file: string, data: unknown): EndpointSet {
  if (!isObj(data)) throw new EndpointSetError(file, 'not a JSON object');
  const name = text(data, 'name', file);
  if (name !== basename(file, '.json')) throw new EndpointSetError(file, `name "${name}" must equal the file name`);
  const generation = data.generation;
  if (generation !== 'current' && generation !== 'legacy') throw new EndpointSetError(file, '"generation" must be "current" or "legacy"');
  const published = data.published;
  if (published !== null && !(typeof published === 'string' && DATE.test(published))) {
    throw new EndpointSetError(file, '"published" must be YYYY-MM-DD or null (the document has no date)');
  }
  const recorded = text(data, 'recorded', file);
  if (!DATE.test(recorded)) throw new EndpointSetError(file, '"recorded" must be YYYY-MM-DD');
  const source = text(data, 'source', file);
  if (!/shared\/seeds\/\d{3}_[0-9a-f]+\.txt/.test(source)) {
    throw new EndpointSetError(file, '"source" must name the seed document it was read from (shared/seeds/NNN_….txt)');
  }
  const ports = data.ports;
  if (!isObj(ports)) throw new EndpointSetError(file, '"ports" must be an object {udp, tcp, tls}');
  const srv = data.srv_domains;
  if (!isObj(srv) || Object.keys(srv).length === 0) throw new EndpointSetError(file, '"srv_domains" must name at least one domain');
  const srvDomains: EndpointSet['srvDomains'] = {};
  for (const [region, host] of Object.entries(srv)) {
    if (region !== '' && !REGIONS.includes(region)) throw new EndpointSetError(file, `srv_domains: unknown region "${region}"`);
    if (typeof host !== 'string' || !HOSTNAME.test(host)) throw new EndpointSetError(file, `srv_domains.${region || '""'}: not a host name`);
    srvDomains[region as Region | ''] = host;
  }
  const list = data.endpoints;
  if (!Array.isArray(list) || list.length === 0) throw new EndpointSetError(file, '"endpoints" must be a non-empty array');
  const seen = new Set<string>();
  const endpoints = list.map((e, i): SetEndpoint => {
    if (!isObj(e)) throw new EndpointSetError(file, `endpoints[${i}] is not an object`);
    const host = text(e, 'host', file).toLowerCase();
    if (!HOSTNAME.test(host)) throw new EndpointSetError(file, `endpoints[${i}].host "${host}" is not a host name`);
    if (seen.has(host)) throw new EndpointSetError(file, `endpoints[${i}].host "${host}" is listed twice`);
    seen.add(host);
    const region = e.region;
    if (typeof region !== 'string' || !REGIONS.includes(region)) throw new EndpointSetError(file, `endpoints[${i}].region must be us, eu or ap`);
    return { host, site: text(e, 'site', file), region: region as Region };
  });
  return {
    name,
    generation,
    description: text(data, 'description', file),
    published: published ?? '',
    publishedNote: typeof data.published_note === 'string' ? data.published_note : '',
    recorded,
    source,
    tlsMinVersion: text(data, 'tls_min_version', file),
    ports: { udp: port(ports.udp, 'ports.udp', file), tcp: port(ports.tcp, 'ports.tcp', file), tls: port(ports.tls, 'ports.tls', file) },
    srvDomains,
    endpoints,
  };
}

/** Every set in `dir` by name; throws EndpointSetError on the first broken file. */
export function loadEndpointSets(dir: string = ENDPOINT_SET_DIR): Map<string, EndpointSet> {
  const out = new Map<string, EndpointSet>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new EndpointSetError(dir, `cannot read the directory: ${(err as Error).message}`);
  }
  for (const file of files) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      throw new EndpointSetError(file, `not valid JSON: ${(err as Error).message}`);
    }
    const set = parseEndpointSet(file, data);
    out.set(set.name, set);
  }
  return out;
}

let shipped: Map<string, EndpointSet> | undefined;

/** The shipped sets, read once per process (they ship with the build). */
export function endpointSets(): Map<string, EndpointSet> {
  shipped ??= loadEndpointSets();
  return shipped;
}
