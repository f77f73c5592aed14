// Canonical order, secret masking, diff and merge patch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, restoreMaskedSecrets } from '../../../src/config/canonical.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import { diffDocuments, mergePatch } from '../../../src/config/diff.js';
import type { ConfigDocument } from '../../../src/config/document.js';

test('canonicalize orders keys as the schema does', () => {
  const d = defaultConfig();
  const shuffled = { cdr: d.cdr, api: d.api, firewall: d.firewall, routes: d.routes, version: 1, sides: d.sides, pbxs: d.pbxs, sip_domains: d.sip_domains, trunks: d.trunks, tls: d.tls, media: d.media, sip: { dns_servers: [], shutdown_grace_s: 30, session_timer: d.sip.session_timer, timers: d.sip.timers, user_agent: 'EdgeSBC', retry_after_s: 5, max_calls_in_progress: 1000 }, system: d.system };
  assert.equal(JSON.stringify(canonicalize(shuffled as ConfigDocument)), JSON.stringify(d));
});

// No v1 field is secret yet (trunk digest secrets come with issue 5): this
// schema stands in for one that has a writeOnly field.
const schemaWithSecret = {
  type: 'object',
  properties: {
    trunks: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, secret: { type: 'string', writeOnly: true } } },
    },
  },
};

test('writeOnly fields are masked on export unless secrets are asked for', () => {
  const doc = { trunks: [{ name: 'a', secret: 's3cr3t' }, { name: 'b', secret: '' }] } as unknown as ConfigDocument;
  assert.deepEqual(canonicalize(doc, {}, schemaWithSecret), { trunks: [{ name: 'a', secret: '********' }, { name: 'b', secret: '' }] });
  assert.deepEqual(canonicalize(doc, { secrets: true }, schemaWithSecret), doc);
});

test('importing a masked secret keeps the stored one (matched by name)', () => {
  const stored = { trunks: [{ name: 'a', secret: 'A' }, { name: 'b', secret: 'B' }] };
  const imported = { trunks: [{ name: 'b', secret: '********' }, { name: 'c', secret: 'new' }, { name: 'a', secret: 'changed' }] };
  assert.deepEqual(restoreMaskedSecrets(imported, stored, schemaWithSecret), {
    trunks: [{ name: 'b', secret: 'B' }, { name: 'c', secret: 'new' }, { name: 'a', secret: 'changed' }],
  });
});

test('diff reports changed leaves by path, named items by name', () => {
  const a = defaultConfig();
  const b = defaultConfig();
  b.sip.timers.t1_ms = 250;
  b.trunks.unshift({ ...structuredClone(a.trunks[0]!), name: 'backup' });
  b.pbxs = [];
  assert.deepEqual(diffDocuments(a, b), [
    { path: '/sip/timers/t1_ms', op: 'change', from: 500, to: 250 },
    { path: '/trunks/backup', op: 'add', to: b.trunks[0] },
    { path: '/pbxs/pbx', op: 'remove', from: a.pbxs[0] },
  ]);
  assert.deepEqual(diffDocuments(a, defaultConfig()), []);
});

test('merge patch (RFC 7386)', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], f: 'n' }), {
    a: 1,
    b: { d: 3, x: 1 },
    e: [2],
    f: 'n',
  });
});
