// A new object sends only what the person set, so the server's defaults —
// including those that depend on another field — apply.
import { describe, expect, it } from 'vitest';
import { documentSchema } from '../../src/config/schema/index.js';
import { fillDependentDefaults } from '../../src/config/dependent-defaults.js';
import { initialValue } from '../src/schema/defaults.js';
import type { JsonSchema, JsonValue } from '../src/schema/json-schema.js';
import { pruneDefaults } from '../src/schema/prune.js';

const trunkSchema = (documentSchema as unknown as JsonSchema).properties!.trunks!.items!;

describe('pruneDefaults()', () => {
  it('leaves out untouched defaults of a new trunk, so a TLS endpoint gets port 5061 and SRTP', () => {
    const start = initialValue(trunkSchema) as Record<string, JsonValue>;
    const edited = { ...start, name: 'carrier', endpoints: [{ host: '192.0.2.5', port: 5060 }] };
    const changed = new Set(['/name', '/endpoints', '/endpoints/0', '/endpoints/0/host']);
    const sent = pruneDefaults(trunkSchema, edited, {}, changed) as Record<string, any>;

    expect(sent.name).toBe('carrier');
    expect(sent.endpoints).toEqual([{ host: '192.0.2.5' }]);
    expect(sent.media).toBeUndefined();
    expect(sent.transport).toBeUndefined();
    const doc = { trunks: [structuredClone(sent)] } as any;
    fillDependentDefaults(doc);
    expect(doc.trunks[0].endpoints[0].port).toBe(5061);
    expect(doc.trunks[0].media.srtp).toBe('sdes');
  });

  it('keeps what the person set, even when it equals the default', () => {
    const start = initialValue(trunkSchema) as Record<string, JsonValue>;
    const edited = { ...start, name: 'carrier', transport: 'tls', endpoints: [{ host: 'h', port: 5060 }] };
    const changed = new Set(['/name', '/transport', '/endpoints', '/endpoints/0', '/endpoints/0/host', '/endpoints/0/port']);
    const sent = pruneDefaults(trunkSchema, edited, {}, changed) as Record<string, any>;
    expect(sent.transport).toBe('tls');
    expect(sent.endpoints).toEqual([{ host: 'h', port: 5060 }]);
  });

  it('never drops fields an existing object already had', () => {
    const existing = { ...(initialValue(trunkSchema) as Record<string, JsonValue>), name: 'vonage', endpoints: [{ host: 'h', port: 5060 }] };
    const sent = pruneDefaults(trunkSchema, existing, existing, new Set()) as Record<string, any>;
    expect(sent).toEqual(existing);
  });
});
