// trunks[].session_timer (V-OUT-11): the merge over sip.session_timer and the
// config checks (0 or 90..86400, min_se_s <= expires_s counting the global
// values for a 0).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/default-config.js';
import { ConfigError } from '../../../src/config/errors.js';
import { validateDocument } from '../../../src/config/validate.js';
import { trunkSessionTimer } from '../../../src/trunks/session-timer-override.js';

const GLOBAL = { enabled: true, expiresS: 1800, minSeS: 90 };

test('inherit keeps the global settings; on/off and non-zero values override', () => {
  assert.deepEqual(trunkSessionTimer(GLOBAL, undefined), GLOBAL);
  assert.deepEqual(trunkSessionTimer(GLOBAL, { mode: 'inherit', expires_s: 0, min_se_s: 0 }), GLOBAL);
  assert.deepEqual(trunkSessionTimer(GLOBAL, { mode: 'off', expires_s: 0, min_se_s: 0 }), { ...GLOBAL, enabled: false });
  assert.deepEqual(trunkSessionTimer({ ...GLOBAL, enabled: false }, { mode: 'on', expires_s: 600, min_se_s: 0 }), { enabled: true, expiresS: 600, minSeS: 90 });
  assert.deepEqual(trunkSessionTimer(GLOBAL, { mode: 'inherit', expires_s: 0, min_se_s: 300 }), { enabled: true, expiresS: 1800, minSeS: 300 });
});

function problems(st: unknown, global?: { expires_s: number; min_se_s: number }): string[] {
  const doc = defaultConfig() as unknown as { trunks: Array<Record<string, unknown>>; sip: { session_timer: Record<string, unknown> } };
  doc.trunks[0]!.session_timer = st;
  if (global) Object.assign(doc.sip.session_timer, global);
  try {
    validateDocument(doc);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.errors.map((p) => `${p.path}: ${p.message}`);
  }
}

test('config: 0 or 90..86400; min_se_s <= expires_s after the merge; mode from the enum', () => {
  assert.deepEqual(problems({ mode: 'on', expires_s: 600, min_se_s: 120 }), []);
  assert.deepEqual(problems({}), [], 'all defaults: inherit');
  assert.match(problems({ mode: 'on', expires_s: 30, min_se_s: 0 }).join('\n'), /\/trunks\/0\/session_timer\/expires_s: must be 0 \(the global value\) or 90\.\.86400/);
  assert.match(problems({ mode: 'on', expires_s: 300, min_se_s: 600 }).join('\n'), /\/trunks\/0\/session_timer\/min_se_s: min_se_s \(600\) must be <= expires_s \(300\)/);
  // expires_s 0 = the global 1800: a min_se_s of 3600 is above it.
  assert.match(problems({ mode: 'inherit', expires_s: 0, min_se_s: 3600 }).join('\n'), /min_se_s \(3600\) must be <= expires_s \(1800\)/);
  // min_se_s 0 = the global (here 600): a trunk expires_s of 300 is below it.
  assert.match(problems({ mode: 'inherit', expires_s: 300, min_se_s: 0 }, { expires_s: 1800, min_se_s: 600 }).join('\n'), /\/trunks\/0\/session_timer\/expires_s: min_se_s \(600\) must be <= expires_s \(300\)/);
  assert.notDeepEqual(problems({ mode: 'sometimes', expires_s: 0, min_se_s: 0 }), []);
});
