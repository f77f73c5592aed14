// Stand-ins for the daemon's live parts in API tests.
import type { CallSnapshot } from '../../../src/calls/call.js';
import type { CallWatcher } from '../../../src/calls/call-controller.js';

const leg = (rx: number) => ({
  rxPackets: rx, rxBytes: rx * 172, txPackets: rx, txBytes: rx * 172, rtcpRx: 2, rtcpTx: 2, expected: rx, lost: 1, jitterMs: 1.5,
  rttMs: 20, remoteFractionLost: 0, remoteJitterMs: 1, srtpAuthFailures: 0, srtpReplays: 0, droppedSource: 0, droppedOther: 0,
  ssrc: 1234, peer: { ip: '192.0.2.10', port: 4000 }, latched: true, idleMs: 20,
});

export function fakeCalls(list: CallSnapshot[]) {
  const watchers = new Set<CallWatcher>();
  return {
    watchers,
    get callsInProgress() {
      return list.length;
    },
    snapshot: async () => list,
    watch: (w: CallWatcher) => (watchers.add(w), () => watchers.delete(w)),
  };
}

export const sampleCall: CallSnapshot = {
  id: 'abc-1',
  state: 'established',
  startedAt: '2026-06-01T09:59:00.000Z',
  target: { kind: 'trunk', name: 'vonage' },
  callee: '14155550100',
  caller: '442071234567',
  media: [{ index: 0, codec: 'PCMA', a: leg(500), b: leg(499), mos: { a: 4.39, b: 4.39 } }],
};

