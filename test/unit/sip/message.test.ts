import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localResponse, SipRequest, SipResponse } from '../../../src/sip/message.js';
import type { NativeEvent } from '../../../src/sip/native.js';

function event(over: Partial<NativeEvent>): NativeEvent {
  return {
    type: 'request', txn: 7, dialog: 0, method: '', ruri: '', status: 0, reason: '', headers: [], body: '',
    local: false, looped: false, listener: 'lan-udp-127.0.0.1-5060', side: 'lan', transport: 'udp',
    remoteIp: '127.0.0.10', remotePort: 5062, info: '', ...over,
  };
}

test('SipRequest exposes the event and parses common headers on demand', () => {
  const r = new SipRequest(
    event({
      method: 'INVITE',
      ruri: 'sip:441234@127.0.0.1',
      headers: ['f', '"Alice" <sip:alice@pbx>;tag=a1', 'To', '<sip:441234@sbc>', 'i', 'c1@pbx', 'CSeq', '101 INVITE', 'Max-Forwards', '69', 'c', 'application/sdp'],
      body: 'v=0\r\n',
      looped: true,
    }),
  );
  assert.equal(r.method, 'INVITE');
  assert.equal(r.uri, 'sip:441234@127.0.0.1');
  assert.equal(r.side, 'lan');
  assert.equal(r.transport, 'udp');
  assert.deepEqual(r.source, { ip: '127.0.0.10', port: 5062 });
  assert.equal(r.looped, true);
  assert.equal(r.callId, 'c1@pbx');
  assert.equal(r.from?.display, 'Alice');
  assert.equal(r.from?.tag, 'a1');
  assert.equal(r.to?.uri, 'sip:441234@sbc');
  assert.deepEqual(r.cseq, { seq: 101, method: 'INVITE' });
  assert.equal(r.maxForwards, 69);
  assert.equal(r.contentType, 'application/sdp');
  assert.equal(r.get('CONTENT-TYPE'), 'application/sdp');
  assert.equal(r.headers, r.headers, 'headers object is made once');
  assert.equal(r.body, 'v=0\r\n');
});

test('absent or malformed fields read as null / undefined, never throw', () => {
  const r = new SipRequest(event({ method: 'OPTIONS', headers: ['From', '"unterminated <sip:x@y>', 'Max-Forwards', 'lots', 'CSeq', 'x OPTIONS'] }));
  assert.equal(r.from, null);
  assert.equal(r.to, null);
  assert.equal(r.cseq, null);
  assert.equal(r.maxForwards, undefined);
  assert.equal(r.callId, '');
});

test('SipResponse and local responses', () => {
  const res = new SipResponse(event({ type: 'response', status: 183, reason: 'Session Progress', method: 'INVITE', headers: ['t', '<sip:b@y>;tag=zz'] }));
  assert.equal(res.status, 183);
  assert.equal(res.reason, 'Session Progress');
  assert.equal(res.method, 'INVITE');
  assert.equal(res.to?.tag, 'zz');
  assert.equal(res.local, false);
  const l = localResponse('INVITE', 503, 'Service Unavailable', 'engine closed');
  assert.equal(l.local, true);
  assert.equal(l.status, 503);
  assert.equal(l.info, 'engine closed');
  assert.equal(l.headers.size, 0);
});
