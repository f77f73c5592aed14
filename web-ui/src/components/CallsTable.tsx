// Calls in progress, one row per call, with each media stream's per-leg
// statistics (caller leg a, callee leg b): packets, loss, jitter, RTT, MOS.
import { useEffect, useState } from 'preact/hooks';
import { callMos, type CallView, type LegView } from '../api/shapes.js';

function duration(startedAt: number | undefined, now: number): string {
  if (!startedAt) return '';
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function fmt(v: number | undefined, digits = 0, unit = ''): string {
  return v === undefined ? '–' : `${v.toFixed(digits)}${unit}`;
}

function mosClass(m: number | undefined): string {
  return m === undefined ? '' : m >= 4 ? 'good' : m >= 3.6 ? 'fair' : 'poor';
}

function LegRow(p: { name: string; leg: LegView | undefined; codec: string }) {
  const l = p.leg;
  return (
    <tr>
      <th scope="row">{p.name}</th>
      <td>{p.codec || '–'}</td>
      <td>{l?.peer || '–'}</td>
      <td class="num">{fmt(l?.rxPackets)}</td>
      <td class="num">{fmt(l?.txPackets)}</td>
      <td class="num">{l?.lost === undefined ? '–' : `${l.lost}${l.lossPct !== undefined ? ` (${l.lossPct}%)` : ''}`}</td>
      <td class="num">{fmt(l?.jitterMs, 1, ' ms')}</td>
      <td class="num">{fmt(l?.rttMs, 0, ' ms')}</td>
      <td class={`num mos ${mosClass(l?.mos)}`}>{fmt(l?.mos, 2)}</td>
    </tr>
  );
}

export function CallsTable(p: { calls: CallView[]; detail: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (p.calls.length === 0) return <p class="empty">No calls in progress.</p>;
  return (
    <table class="calls list">
      <thead>
        <tr>
          <th scope="col">Caller</th>
          <th scope="col">Callee</th>
          <th scope="col">To</th>
          <th scope="col">State</th>
          <th scope="col">Duration</th>
          <th scope="col">MOS</th>
        </tr>
      </thead>
      {p.calls.map((c) => {
        const mos = callMos(c);
        return (
          <tbody key={c.id} class="call" data-call-id={c.id}>
            <tr>
              <td>{c.caller}</td>
              <td>{c.callee}</td>
              <td>{c.target}</td>
              <td>{c.state}</td>
              <td class="num">{duration(c.startedAt, now)}</td>
              <td class={`num mos ${mosClass(mos)}`}>{fmt(mos, 2)}</td>
            </tr>
            {p.detail && c.streams.length ? (
              <tr class="legs">
                <td colSpan={6}>
                  <table class="leg-stats">
                    <caption class="sr-only">Media of the call from {c.caller} to {c.callee}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Leg</th>
                        <th scope="col">Codec</th>
                        <th scope="col">Peer</th>
                        <th scope="col">Packets in</th>
                        <th scope="col">Packets out</th>
                        <th scope="col">Lost</th>
                        <th scope="col">Jitter</th>
                        <th scope="col">RTT</th>
                        <th scope="col">MOS</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.streams.flatMap((s) => [
                        <LegRow key={`${s.index}a`} name={`caller${c.streams.length > 1 ? ` #${s.index}` : ''}`} leg={s.a} codec={s.codec} />,
                        <LegRow key={`${s.index}b`} name={`callee${c.streams.length > 1 ? ` #${s.index}` : ''}`} leg={s.b} codec={s.codec} />,
                      ])}
                    </tbody>
                  </table>
                </td>
              </tr>
            ) : null}
          </tbody>
        );
      })}
    </table>
  );
}
