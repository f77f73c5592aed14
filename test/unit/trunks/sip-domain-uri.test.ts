// V-PS-1: the Request-URI host of a trunk naming a Programmable SIP domain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sipDomainHost } from '../../../src/trunks/sip-domain-uri.js';

const domains = [
  { name: 'yourcompany', region: 'eu' as const, application_id: '', auth: 'digest' as const, acl: [] },
  { name: 'Other', region: 'ap' as const, application_id: '', auth: 'acl' as const, acl: ['190.190.190.190'] },
];

test('NAME.sip-REGION.nexmo.com from the domain\'s own region; "" without a domain or for an unknown one', () => {
  assert.equal(sipDomainHost({ sip_domain: 'yourcompany' }, domains), 'yourcompany.sip-eu.nexmo.com');
  assert.equal(sipDomainHost({ sip_domain: 'Other' }, domains), 'other.sip-ap.nexmo.com');
  assert.equal(sipDomainHost({ sip_domain: '' }, domains), '');
  assert.equal(sipDomainHost({ sip_domain: 'nope' }, domains), '');
  assert.equal(sipDomainHost({ sip_domain: 'yourcompany' }, undefined), '');
});
