// Out-of-dialog OPTIONS (PBX and trunk keepalives) are answered by the SBC
// itself; nothing is forwarded to the other side.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, assertReceivedNothing, callThrough, select, startSbcd, type Direction, type Sbcd } from '../harness/index.js';

describe('OPTIONS answered by sbcd', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    sbc = await startSbcd();
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of ['pbx-to-vonage', 'vonage-to-pbx'] as Direction[]) {
    test(`${direction.split('-to-')[0]} OPTIONS -> 200 from the SBC, the other side receives nothing`, async () => {
      const { uac, uas } = await callThrough(sbc, { direction, uac: 'uac-options', uas: 'uas-options', calls: 3, rate: 10, uasGraceMs: 1000 });
      assertAllPassed(uac, 3, 'OPTIONS sender');
      assert.equal(select(uac.messages, { direction: 'received', status: 200 }).length >= 3, true);
      assertReceivedNothing(uas, 'other side');
    });
  }
});
