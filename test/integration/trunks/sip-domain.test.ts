// V-PS-1 on the wire: a trunk that names a Programmable SIP domain sends its
// INVITEs to the trunk's endpoint (the stand-in's edge) with the Request-URI
// sip:NUMBER@NAME.sip-REGION.nexmo.com, the digest computed over that URI
// (the edge accepts it, the callee answers). A domain without a region never
// gets this far: the config refuses it (V-PS-2, unit/trunks/config).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeSipp, header, netnsSkipReason } from '../harness/index.js';
import { parseChallenge } from '../vonage/digest-uac.js';
import { VONAGE_ADDR } from '../vonage/standin.js';
import { CALLEE, pbxCalls, pbxFinals, sbcConfig, startRig, stopRig, type Rig } from './health-rig.js';

const skip = netnsSkipReason();
const DOMAIN_HOST = 'yourcompany.sip-eu.nexmo.com';

describe('V-PS-1: calls through a trunk naming a Programmable SIP domain carry sip:NUMBER@NAME.sip-REGION.nexmo.com', { skip, timeout: 40_000 }, () => {
  let r: Rig | undefined;
  before(async () => {
    const config = sbcConfig({ endpoints: [{ host: VONAGE_ADDR.edge1, port: 5060 }], sip_domain: 'yourcompany', region: 'eu' });
    (config as unknown as { sip_domains: unknown[] }).sip_domains = [
      { name: 'yourcompany', region: 'eu', application_id: 'c49f3586-9c3c-458b-89fc-3c8beb58865f', auth: 'digest' },
    ];
    r = await startRig({ endpoints: 1, dns: false }, config);
  });
  after(() => stopRig(r));

  test('Request-URI and To name the domain, the INVITE goes to the endpoint, digest over that URI is accepted', async () => {
    const since = Date.now();
    const run = await pbxCalls(r!, 1);
    assert.deepEqual(pbxFinals(run), [200], describeSipp(run));
    const invites = r!.standin.requests({ method: 'INVITE', edge: 'edge1', since });
    assert.equal(invites.length, 2, 'the INVITE and its digest re-send, both at the endpoint');
    for (const e of invites) {
      assert.equal(e.message!.startLine, `INVITE sip:${CALLEE}@${DOMAIN_HOST} SIP/2.0`);
      assert.match(header(e.message!, 'To') ?? '', new RegExp(`<sip:${CALLEE}@${DOMAIN_HOST.replace(/\./g, '\\.')}>`));
    }
    const creds = parseChallenge(header(invites[1]!.message!, 'Proxy-Authorization') ?? '');
    assert.equal(creds.uri, `sip:${CALLEE}@${DOMAIN_HOST}`, 'the digest-uri is the Request-URI as sent');
    assert.equal(r!.standin.events().filter((e) => e.event === 'auth-ok' && e.at >= since - 1000).length, 1);
  });
});
