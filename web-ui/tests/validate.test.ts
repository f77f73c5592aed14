// The browser-side check must agree with the server's (ajv on the same
// schema, defaults filled in): a value the form accepts is one the server
// accepts, and each refusal names the field. Checked on the real document
// schema with the embedded default document and mutations of every leaf.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { documentSchema } from '../../src/config/schema/index.js';
import { defaultConfig } from '../../src/config/default-config.js';
import { initialValue } from '../src/schema/defaults.js';
import type { JsonSchema, JsonValue } from '../src/schema/json-schema.js';
import { validate } from '../src/schema/validate.js';

const schema = documentSchema as unknown as JsonSchema;
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(documentSchema);
const serverAccepts = (doc: unknown): boolean => ajv(structuredClone(doc));

function leaves(v: unknown, path: string[] = []): string[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...path, String(i)])) : [path];
  if (v && typeof v === 'object') {
    const e = Object.entries(v);
    return e.length ? e.flatMap(([k, x]) => leaves(x, [...path, k])) : [path];
  }
  return [path];
}

function setAt(doc: unknown, path: string[], value: unknown): unknown {
  const out = structuredClone(doc) as Record<string, unknown>;
  let cur: Record<string, unknown> = out;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined && Array.isArray(cur)) cur.splice(Number(last), 1);
  else if (value === undefined) delete cur[last];
  else cur[last] = value;
  return out;
}

// The default plus every kind of nested value the schema has: a list of
// objects inside a choice (routes[].to.pbxs), header rules, maps of groups.
const base = ((): unknown => {
  const d = defaultConfig() as unknown as Record<string, any>;
  d.trunks[0].header_rules = [{ action: 'rewrite', name: 'P-Asserted-Identity', value: '$1', pattern: '^(.*)$' }];
  d.pbxs[0].allowed_numbers = ['4420*'];
  d.sip_domains = [{ name: 'acme', region: 'eu', application_id: '', auth: 'acl', acl: ['192.0.2.0/24'] }];
  d.routes[1].to = { pbxs: [{ pbx: 'pbx', timeout_ms: 5000 }] };
  d.firewall.address_lists = { extra: { description: 'x', source: 'doc', published: '2024-01-01', entries: ['198.51.100.0/24'] } };
  d.firewall.trunks = { vonage: { signalling_lists: ['extra'], media_policy: 'open-range', media_lists: [] } };
  return d;
})();

describe('validate() agrees with ajv on the document schema', () => {
  it('accepts the embedded default document (and more)', () => {
    expect(serverAccepts(defaultConfig())).toBe(true);
    expect(validate(schema, defaultConfig())).toEqual([]);
    expect(serverAccepts(base)).toBe(true);
    expect(validate(schema, base)).toEqual([]);
  });

  const mutations: Array<[string, unknown]> = [
    ['empty text', ''],
    ['long text', 'x'.repeat(300)],
    ['bad characters', 'Bad Name!\n'],
    ['negative', -1],
    ['huge', 10_000_000],
    ['fraction', 1.5],
    ['zero', 0],
    ['boolean', true],
    ['list', ['a', 'a']],
    ['object', { nope: 1 }],
    ['absent', undefined],
  ];
  for (const path of leaves(base)) {
    if (path.length === 0) continue;
    it(`mutations of /${path.join('/')}`, () => {
      for (const [what, value] of mutations) {
        const doc = setAt(base, path, value);
        const ours = validate(schema, doc);
        const theirs = serverAccepts(doc);
        expect({ what, ok: ours.length === 0 }).toEqual({ what, ok: theirs });
        if (!theirs) {
          // The problem is reported at the field changed or above it (a list, a group).
          const at = `/${path.join('/')}`;
          expect(ours.some((p) => at.startsWith(p.path) || p.path.startsWith(at))).toBe(true);
        }
      }
    });
  }
});

describe('initialValue()', () => {
  it('a new trunk with a name and an endpoint is valid', () => {
    const t = initialValue(schema.properties!.trunks!.items!) as Record<string, JsonValue>;
    expect(t.transport).toBe('tls');
    expect(t.kind).toBe('generic');
    expect(t.api_secret).toBe('');
    const named = { ...t, name: 'carrier', endpoints: [{ host: '192.0.2.5', port: 5061 }] };
    expect(validate(schema.properties!.trunks!.items!, named)).toEqual([]);
    expect(validate(schema.properties!.trunks!.items!, t).map((p) => p.path)).toEqual(['/name']);
  });

  it('a new route needs a name, a side and a target', () => {
    const r = initialValue(schema.properties!.routes!.items!) as Record<string, JsonValue>;
    const paths = validate(schema.properties!.routes!.items!, r).map((p) => p.path).sort();
    expect(paths).toEqual(['/from_side', '/name', '/to']);
  });

  it('a new side needs its addresses', () => {
    const sides = schema.properties!.sides!;
    const s = initialValue(sides.additionalProperties as JsonSchema);
    expect(validate(sides.additionalProperties as JsonSchema, s).map((p) => p.path)).toEqual(['/addresses']);
  });
});
