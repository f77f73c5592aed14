// GET /events: Server-Sent Events over a real socket (plain HTTP here; sbcd
// serves it over HTTPS): the current calls at once, then calls, candidate,
// commit and bans events as they happen; the stream ends with the session.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { BanInfo } from '../../../src/firewall/firewall.js';
import { apiFixture } from './fixture.js';
import { fakeCalls, sampleCall } from './fakes.js';

interface Stream {
  events: Array<{ event: string; data: any }>;
  res: IncomingMessage;
  waitFor(event: string, pred?: (data: any) => boolean, ms?: number): Promise<any>;
  close(): void;
}

function openStream(port: number, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { cookie } }, (res) => {
      const events: Stream['events'] = [];
      const waiters: Array<() => void> = [];
      let buf = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
          for (const w of waiters.splice(0)) w();
        }
      });
      const waitFor = async (event: string, pred: (d: any) => boolean = () => true, ms = 5000): Promise<any> => {
        const until = Date.now() + ms;
        for (;;) {
          const hit = events.find((e) => e.event === event && pred(e.data));
          if (hit) return hit.data;
          if (Date.now() > until) throw new Error(`no ${event} event; got ${events.map((e) => e.event).join(', ')}`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 100);
          });
        }
      };
      resolve({ events, res, waitFor, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

test('SSE: calls at once and on change, candidate and commit events, bans; ends with the session', async (t) => {
  const calls = fakeCalls([]);
  const bans: BanInfo[] = [];
  const firewall = { enabled: true, listBans: () => bans, unban: () => false, clearBans: () => 0 };
  const fx = await apiFixture(t, { deps: { calls, firewall } });
  await fx.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (fx.app.server.address() as AddressInfo).port;
  const op = await fx.as('operator');

  const s = await openStream(port, op.cookie);
  t.after(() => s.close());
  assert.equal(s.res.statusCode, 200);
  assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
  assert.deepEqual(await s.waitFor('calls'), { count: 0, calls: [] });

  // A call starts: the watcher hears it and the stream gets the new list.
  const list = [sampleCall];
  const live = fakeCalls(list);
  (calls as { snapshot: () => Promise<unknown[]> }).snapshot = live.snapshot;
  for (const w of calls.watchers) w.started?.('abc-1');
  const withCall = await s.waitFor('calls', (d) => d.count === 1);
  assert.deepEqual(withCall.calls[0].media[0].mos, { a: 4.39, b: 4.39 });

  assert.equal((await op.put('/config/section/system', { name: 'sse-box' })).status, 200);
  assert.deepEqual(await s.waitFor('candidate'), { changes: 1 });
  const commit = await op.post('/config/commit', { comment: 'from the test' });
  const ev = await s.waitFor('commit');
  assert.deepEqual([ev.id, ev.comment, ev.user], [commit.body.id, 'from the test', 'operator']);

  bans.push({ ip: '198.51.100.5', reason: 'scanner-user-agent', detail: 'x', since: '2026-06-01T10:00:00.000Z', expiresInS: 60 } as BanInfo);
  const b = await s.waitFor('bans', (d) => d.bans.length === 1, 8000);
  assert.equal(b.bans[0].ip, '198.51.100.5');

  // A viewer may listen; no session may not.
  const v = await fx.as('viewer');
  const vs = await openStream(port, v.cookie);
  assert.equal(vs.res.statusCode, 200);
  vs.close();
  const anon = await openStream(port, '');
  assert.equal(anon.res.statusCode, 401);
  anon.close();

  // Logging out ends the stream at its next event.
  await op.post('/auth/logout');
  const ended = new Promise<void>((r) => s.res.once('end', () => r()));
  await (await fx.as('admin')).put('/config/section/system', { name: 'after-logout' });
  await ended;

  // Events are not use of the session: an unattended stream times out with it.
  const idle = await openStream(port, (await fx.as('viewer')).cookie);
  t.after(() => idle.close());
  await idle.waitFor('calls');
  fx.now.ms += 31 * 60_000;
  const idleEnded = new Promise<void>((r) => idle.res.once('end', () => r()));
  await (await fx.as('admin')).put('/config/section/system', { name: 'after-idle' });
  await idleEnded;
});
