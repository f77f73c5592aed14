// X- headers and header rules on the wire through the real sbcd (V-OUT-12,
// V-OUT-13): a PBX's X- headers reach the Vonage trunk, X-Nexmo* too (with
// one warning per call: Vonage does not deliver them), the trunk's and the
// PBX's rules act on what is sent to each (requests and responses), and a
// rule on an engine-owned header is refused when the config is loaded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SbcdStartError,
  assertAllPassed,
  callThrough,
  defaultTestConfig,
  header,
  headerValues,
  select,
  startSbcd,
  type ConfigDoc,
  type Sbcd,
} from '../harness/index.js';

/** The test config with its trunk made a Vonage trunk (kind vonage, credentials, E.164 caller ID). */
async function vonageConfig(trunkRules: unknown[], pbxRules: unknown[]): Promise<ConfigDoc> {
  const config = await defaultTestConfig();
  Object.assign(config.trunks[0]!, {
    kind: 'vonage',
    api_key: 'testkey',
    api_secret: 'testsecret',
    country: 'US',
    caller_id: { mode: 'fixed', number: '14155550123' },
    header_rules: trunkRules,
  });
  Object.assign(config.pbxs[0]!, { header_rules: pbxRules });
  return config;
}

describe('X- headers and header rules on the wire', { timeout: 90_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd({
      fullConfig: await vonageConfig(
        [
          { action: 'remove', name: 'X-Internal*' },
          { action: 'rewrite', name: 'X-Customer-Ref', pattern: '^cref-(\\d+)$', value: 'acme-$1' },
          { action: 'add', name: 'X-Site', value: 'paris-1' },
        ],
        [
          { action: 'remove', name: 'X-Carrier*' },
          { action: 'add', name: 'X-Via-Sbc', value: 'edgesbc' },
        ],
      ),
    });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-12, V-OUT-13: X-UserId from the PBX reaches the Vonage trunk; X-Nexmo* is carried and warned about once; the trunk rules apply', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'hdr-uac-x-headers', uas: 'hdr-uas-x-headers', service: '14155550100' });
    assertAllPassed(uac, 1, 'PBX');
    assertAllPassed(uas!, 1, 'Vonage stand-in');
    const inv = select(uas!.messages, { direction: 'received', method: 'INVITE' })[0]!;
    assert.match(inv.startLine, /^INVITE sip:14155550100@/, 'the number the example dials (V-OUT-13)');
    assert.equal(header(inv, 'x-userid'), 'ABC123', 'X- headers cross to the trunk (V-OUT-12)');
    assert.equal(header(inv, 'x-nexmo-callerref'), '42', 'X-Nexmo* is carried (Vonage drops it, not us)');
    assert.equal(header(inv, 'x-customer-ref'), 'acme-4711', 'rewrite by regex');
    assert.deepEqual(headerValues(inv, 'x-site'), ['paris-1'], 'add');
    assert.equal(header(inv, 'x-internal-trace'), undefined, 'remove by prefix');
    // The PBX's BYE crossing to the trunk goes through the trunk's rules too.
    const bye = select(uas!.messages, { direction: 'received', method: 'BYE' })[0]!;
    assert.deepEqual(headerValues(bye, 'x-site'), ['paris-1']);

    const warnings = sbc.logs().filter((l) => l.msg === 'X-Nexmo headers are not delivered by Vonage (V-OUT-12)');
    assert.equal(warnings.length, 1, 'once per call');
    assert.deepEqual(warnings[0]!.headers, ['X-Nexmo-CallerRef']);
    assert.equal(warnings[0]!.trunk, 'vonage');
    assert.equal(warnings[0]!.level, 40, 'a warning');
  });

  test('the PBX rules act on what is sent to the PBX: the 200 relayed to it', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'hdr-uac-x-headers', uas: 'hdr-uas-x-headers', service: '14155550100' });
    assertAllPassed(uac, 1, 'PBX');
    assertAllPassed(uas!, 1, 'Vonage stand-in');
    const ok = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!;
    assert.equal(header(ok, 'x-answer-ref'), 'far-1', 'X- headers cross back');
    assert.equal(header(ok, 'x-carrier-node'), undefined, 'removed by the PBX rule');
    assert.deepEqual(headerValues(ok, 'x-via-sbc'), ['edgesbc']);
    // Rules are per peer: the trunk's add did not reach the PBX.
    assert.equal(header(ok, 'x-site'), undefined);
  });
});

describe('header rules refused at config time', { timeout: 30_000 }, () => {
  test('a rule on Call-ID stops sbcd with the field path and the reason', async () => {
    const config = await vonageConfig([{ action: 'rewrite', name: 'Call-ID', pattern: '.*', value: 'x' }], [{ action: 'remove', name: 'C*' }]);
    await assert.rejects(startSbcd({ fullConfig: config }), (err: unknown) => {
      assert.ok(err instanceof SbcdStartError, String(err));
      const text = `${err.stdoutText}\n${err.stderrText}`;
      assert.match(text, /\/trunks\/0\/header_rules\/0\/name/);
      assert.match(text, /Call-ID cannot be changed by header rules: written by the SIP engine/);
      assert.match(text, /\/pbxs\/0\/header_rules\/0\/name/);
      assert.match(text, /the prefix C\* reaches call-id/);
      return true;
    });
  });
});
