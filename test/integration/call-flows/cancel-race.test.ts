// CANCEL crossing a 200 (RFC 3261 9.1, 9.2, 15): whichever message wins,
// no dialog is left hanging. If the callee's 200 arrives after the SBC
// gave up on the call, the SBC ACKs it and hangs the callee up with BYE;
// if the caller's CANCEL arrives after the SBC answered, the CANCEL
// changes nothing and the call stands until a BYE.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSipp, header, scenarioPath, select, startSbcd, tmpDir, type Sbcd, type SipMessage, type SippResult } from '../harness/index.js';
import { cseqOf, flow, logCount, passed, stopAndAssertIdle, topBranch } from './flow-helpers.js';

const DIRECTIONS = ['pbx-to-vonage', 'vonage-to-pbx'] as const;
// Two slots: a single call left behind by any test here makes the two
// concurrent calls of the follow-up check fail with 503.
const MAX_CALLS = 2;
const CALLS = 3; // per run of the race sweep

/** The far side answered 200 and that leg was ACKed (a 2xx ACK: new branch, the INVITE's CSeq number) and hung up. */
function assertAnsweredLegCleared(uas: SippResult): void {
  const invite = select(uas.messages, { direction: 'received', method: 'INVITE' })[0]!;
  const acks = select(uas.messages, { direction: 'received', method: 'ACK' });
  assert.equal(acks.length >= 1, true, `far side: the 200 was ACKed\n${uas.messagesLog}`);
  const ack = acks[0]!;
  assert.notEqual(topBranch(ack), topBranch(invite), 'ACK for a 2xx is a transaction of its own (new branch)');
  assert.deepEqual(cseqOf(ack), [cseqOf(invite)[0], 'ACK']);
  assert.equal(header(ack, 'call-id'), header(invite, 'call-id'));
  const byes = select(uas.messages, { direction: 'received', method: 'BYE' });
  assert.equal(byes.length >= 1, true, `far side: hung up with BYE\n${uas.messagesLog}`);
  assert.ok(uas.messages.indexOf(byes[0]!) > uas.messages.indexOf(ack), 'BYE after the ACK');
}

/** A copy of flow-uac-cancel-race that CANCELs as soon as the SBC's 100 Trying is in. */
function uacCancelingOn100(dir: string): string {
  const text = readFileSync(scenarioPath('flow-uac-cancel-race'), 'utf8');
  const trigger = '<recv response="100" optional="true"/>\n  <recv response="180">';
  assert.ok(text.includes(trigger), 'flow-uac-cancel-race.xml changed: update uacCancelingOn100');
  const file = join(dir, 'flow-uac-cancel-on-100.xml');
  writeFileSync(file, text.replace(trigger, '<recv response="100">'));
  return file;
}

const callIds = (msgs: SipMessage[]): Set<string> => new Set(msgs.map((m) => header(m, 'call-id') ?? ''));

describe('CANCEL crossing the 200 through sbcd', { timeout: 180_000 }, () => {
  let sbc: Sbcd;
  before(async () => {
    // debug: 'call established' is a per-call line, logged at debug level.
    sbc = await startSbcd({ config: { system: { log_level: 'debug' }, sip: { max_calls_in_progress: MAX_CALLS } } });
  });
  after(async () => {
    await sbc?.stop();
  });

  for (const direction of DIRECTIONS) {
    test(`${direction}: callee's 200 arrives after the SBC canceled -> caller gets 487, callee is ACKed and BYEd`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-cancel-race', uas: 'flow-uas-200-on-cancel' });
      passed(uac, 1, 'caller');
      passed(uas, 1, 'callee');
      // The callee only answers once the SBC's CANCEL is in: the caller's
      // CANCEL was first at the SBC, so the caller's INVITE ends 487.
      assert.equal(select(uac.messages, { direction: 'received', status: 487 }).length >= 1, true, uac.messagesLog);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }).length, 0, 'no 200 (INVITE) to the caller');
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'CANCEL' }).length >= 1, true);
      assert.equal(select(uas.messages, { direction: 'received', method: 'CANCEL' }).length >= 1, true);
      assertAnsweredLegCleared(uas);
    });
  }

  for (const direction of DIRECTIONS) {
    test(`${direction}: caller's CANCEL arrives after the SBC answered -> 200 (or 481) to the CANCEL, the call stands until BYE`, async () => {
      const { uac, uas } = await flow(sbc, { direction, uac: 'flow-uac-cancel-after-200', uas: 'uas-basic', uacExtra: ['-d', '200'] });
      passed(uac, 1, 'caller');
      // uas-basic would fail the call on a CANCEL: none was forwarded.
      passed(uas, 1, 'callee');
      assert.equal(select(uas.messages, { direction: 'received', method: 'CANCEL' }).length, 0, 'CANCEL after the answer not forwarded');
      const cancelAnswer = select(uac.messages, { direction: 'received', cseq: 'CANCEL' }).map((m) => m.status);
      assert.ok(cancelAnswer.length >= 1 && cancelAnswer.every((s) => s === 200 || s === 481), `CANCEL answered ${cancelAnswer.join(',')}`);
      assert.equal(select(uac.messages, { direction: 'received', status: 487 }).length, 0, 'the INVITE keeps its 200');
      // The caller's BYE crossed to the far side and its 200 came back.
      assert.equal(select(uas.messages, { direction: 'received', method: 'BYE' }).length, 1);
      assert.equal(select(uac.messages, { direction: 'received', status: 200, cseq: 'BYE' }).length >= 1, true);
    });
  }

  test('race: CANCEL on the 100 while the callee answers 200 at once (18 calls); every outcome completes', async (t) => {
    const dir = tmpDir('flow-cancel-race-');
    const outcomes = { callerGot487: 0, callerGot200: 0, notSent: 0, calleeAnswered: 0, calleeCanceledFirst: 0 };
    const before = logCount(sbc, 'call established');
    // The far side answers with no provisional response, so the SBC can
    // never CANCEL it before its 200 (RFC 3261 9.1) and SIPp never meets a
    // CANCEL it cannot handle; the race is all at the SBC: the caller's
    // CANCEL (sent on the SBC's 100) against the far side's 200, each
    // anywhere from "before the b-leg INVITE left" to "after the 200 was
    // relayed". (A callee waiting 1-2 ms after a 180 is no use: SIPp takes
    // about that long per step, and a CANCEL landing on its pending 200
    // aborts the SIPp call.)
    const runs = [1, 2, 3].map(() => ({ uac: uacCancelingOn100(dir), uas: 'flow-uas-200-at-once', what: 'CANCEL on the SBC\'s 100, callee answers 200 at once' }));
    for (const run of runs) {
      for (const direction of DIRECTIONS) {
        const { uac, uas } = await flow(sbc, { direction, uac: run.uac, uas: run.uas, calls: CALLS, limit: 1, rate: 20, uasGraceMs: 800 });
        passed(uac, CALLS, `caller (${direction}, ${run.what})`);
        // A call whose CANCEL the SBC handled before its own INVITE left
        // never reaches the far side at all (the best outcome); every one
        // that did must have completed there.
        assert.ok(uas, 'callee result');
        const reached = callIds(select(uas.messages, { direction: 'received', method: 'INVITE' })).size;
        const ctx = `callee (${direction}, ${run.what})\n${describeSipp(uas)}`;
        assert.equal(uas.stats.failed, 0, ctx);
        assert.equal(uas.stats.successful, reached, ctx);
        outcomes.notSent += CALLS - reached;
        const got487 = callIds(select(uac.messages, { direction: 'received', status: 487 }));
        const got200 = callIds(select(uac.messages, { direction: 'received', status: 200, cseq: 'INVITE' }));
        for (const id of got487) assert.ok(!got200.has(id), `caller call ${id} got both 487 and 200 (INVITE)`);
        assert.equal(got487.size + got200.size, CALLS, 'every caller INVITE ended 487 or 200');
        outcomes.callerGot487 += got487.size;
        outcomes.callerGot200 += got200.size;
        const answered = callIds(select(uas.messages, { direction: 'sent', status: 200, cseq: 'INVITE' }));
        outcomes.calleeAnswered += answered.size;
        outcomes.calleeCanceledFirst += callIds(select(uas.messages, { direction: 'sent', status: 487 })).size;
        // Per far-side call: answered -> ACKed and BYEd (the scenarios enforce the order; check the counts).
        for (const callId of answered) {
          const of = (method: string): number => select(uas.messages, { direction: 'received', method }).filter((m) => header(m, 'call-id') === callId).length;
          assert.ok(of('ACK') >= 1 && of('BYE') >= 1, `far-side call ${callId} answered but ACK=${of('ACK')} BYE=${of('BYE')}`);
        }
      }
    }
    // Every call the SBC logged as established was a caller's 200 (then BYEd by the caller).
    const callLog = sbc.logs().filter((l) => l.mod === 'calls').map((l) => JSON.stringify(l)).join('\n');
    assert.equal(logCount(sbc, 'call established') - before, outcomes.callerGot200, `${JSON.stringify(outcomes)}\n${callLog}`);
    t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  });

  test(`afterwards nothing is held: ${MAX_CALLS} concurrent calls get through (a leaked call would take a slot -> 503)`, async () => {
    await new Promise((r) => setTimeout(r, 300));
    const { uac, uas } = await flow(sbc, {
      direction: 'pbx-to-vonage', uac: 'uac-basic', uas: 'uas-basic', calls: MAX_CALLS, limit: MAX_CALLS, rate: 50, uacExtra: ['-d', '500'],
    });
    passed(uac, MAX_CALLS, 'caller');
    passed(uas, MAX_CALLS, 'callee');
    await stopAndAssertIdle(sbc);
  });
});
