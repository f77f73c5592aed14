// Codecs and DTMF offered to a Vonage trunk through the real sbcd (V-OUT-6,
// V-OUT-7): a trunk of kind vonage gets the Vonage codec list as its
// media.codecs (data/vonage/codecs/vonage.json); with media passed through
// (no transcoding) the offer it receives is the PBX's offer filtered to
// that list, telephone-event kept, and G.729 marked annexb=no on both legs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllPassed, callThrough, defaultTestConfig, select, startSbcd, type Sbcd } from '../harness/index.js';

function mLine(sdp: string): string[] {
  const m = /^m=audio \d+ \S+ (.*)$/m.exec(sdp);
  assert.ok(m, `no m=audio in\n${sdp}`);
  return m[1]!.trim().split(/\s+/);
}

describe('codecs and DTMF toward a Vonage trunk', { timeout: 60_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    const config = await defaultTestConfig();
    // No media.codecs written: the kind's default list applies.
    Object.assign(config.trunks[0]!, { kind: 'vonage', api_key: 'testkey', api_secret: 'testsecret', country: 'US', caller_id: { mode: 'fixed', number: '14155550123' } });
    sbc = await startSbcd({ fullConfig: config });
  });
  after(async () => {
    await sbc?.stop();
  });

  test('V-OUT-6, V-OUT-7: only PCMU, PCMA, G.729 (annexb=no), G.722, Speex16, iLBC and telephone-event are offered; the answer to the PBX says annexb=no too', async () => {
    const { uac, uas } = await callThrough(sbc, { direction: 'pbx-to-vonage', uac: 'vonage-uac-codecs', uas: 'vonage-uas-codecs', service: '14155550100' });
    assertAllPassed(uac, 1, 'PBX');
    assertAllPassed(uas!, 1, 'Vonage stand-in');
    const offer = select(uas!.messages, { direction: 'received', method: 'INVITE' })[0]!.body;
    // The PBX's order, minus GSM (3), Speex 8 kHz (97) and Opus (99).
    assert.deepEqual(mLine(offer), ['0', '8', '18', '9', '98', '102', '101'], offer);
    for (const gone of [/GSM/, /speex\/8000/, /opus/i, /a=rtpmap:97 /, /a=rtpmap:99 /]) assert.doesNotMatch(offer, gone, offer);
    assert.match(offer, /^a=rtpmap:98 speex\/16000$/m);
    assert.match(offer, /^a=rtpmap:102 iLBC\/8000$/m);
    assert.match(offer, /^a=fmtp:102 mode=30$/m);
    assert.match(offer, /^a=rtpmap:101 telephone-event\/8000$/m, 'DTMF as telephone-events (V-OUT-7)');
    assert.match(offer, /^a=fmtp:101 0-16$/m);
    assert.match(offer, /^a=fmtp:18 annexb=no$/m, 'G.729 without Annex B (V-OUT-6)');
    assert.equal(offer.match(/^a=fmtp:18 /gm)?.length, 1);

    const answer = select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' })[0]!.body;
    assert.deepEqual(mLine(answer), ['18', '8', '101'], answer);
    assert.match(answer, /^a=fmtp:18 annexb=no$/m, 'the PBX is told no Annex B either');
  });
});
