// System health (CPU, memory, disk, interfaces, temperatures) as the API
// reports it; numbers that are bytes are shown in KiB/MiB/GiB.
import type { ComponentChildren } from 'preact';
import { isObject } from '../schema/json-schema.js';
import { useLive } from '../hooks/live.js';
import { labelOf } from '../schema/json-schema.js';

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

// Field names carry their unit (src/api/system-info.ts): usedBytes, loadPct,
// uptimeS, mainC, speedMbps.
const UNITS: Array<[RegExp, string]> = [
  [/Bytes$/, 'bytes'],
  [/Pct$/, '%'],
  [/S$/, 's'],
  [/C$/, '°C'],
  [/Mbps$/, 'Mb/s'],
];

function unitOf(key: string): string {
  return UNITS.find(([re]) => re.test(key))?.[1] ?? '';
}

function label(key: string): string {
  const base = key.replace(/(Bytes|Pct|S|C|Mbps)$/, '');
  const words = base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return labelOf(words.replace(/ /g, '_'));
}

function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${Math.floor(s % 60)} s`;
}

function scalar(key: string, v: unknown): string {
  if (typeof v === 'number') {
    switch (unitOf(key)) {
      case 'bytes':
        return bytes(v);
      case '%':
        return `${v.toFixed(1)} %`;
      case 's':
        return duration(v);
      case '°C':
        return `${v} °C`;
      case 'Mb/s':
        return `${v} Mb/s`;
    }
    return Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '–';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return new Date(v).toLocaleString();
  return String(v);
}

function Value(p: { k: string; v: unknown; depth: number }): ComponentChildren {
  const { k, v, depth } = p;
  if (Array.isArray(v)) {
    if (v.length && v.every(isObject)) {
      const cols = [...new Set(v.flatMap((r) => Object.keys(r as object)))].filter((c) => v.some((r) => !isObject((r as Record<string, unknown>)[c]) && !Array.isArray((r as Record<string, unknown>)[c])));
      return (
        <table class="list compact">
          <thead>
            <tr>
              {cols.map((c) => (
                <th scope="col" key={c}>
                  {label(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {v.map((r, i) => (
              <tr key={i}>
                {cols.map((c) => (
                  <td key={c}>{scalar(c, (r as Record<string, unknown>)[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    }
    return v.map((x) => scalar(k, x)).join(', ') || '–';
  }
  if (isObject(v)) {
    return (
      <dl class={`kv depth${depth}`}>
        {Object.entries(v).map(([ck, cv]) => (
          <div key={ck}>
            <dt>{label(ck)}</dt>
            <dd>
              <Value k={ck} v={cv} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return scalar(k, v);
}

export function SystemPage() {
  const sys = useLive<unknown>('/system', undefined, 10_000);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">System</h1>
      {sys.error ? (
        <p class="error" role="alert">
          {sys.error}
        </p>
      ) : null}
      {sys.data === undefined ? (
        <p class="loading">Loading…</p>
      ) : isObject(sys.data) ? (
        <div class="system-grid">
          {/* Plain values (host name, uptime, calls) together, then one card per group. */}
          <section class="card" aria-labelledby="sys-box">
            <h2 id="sys-box">Box</h2>
            <Value k="" v={Object.fromEntries(Object.entries(sys.data).filter(([, v]) => !isObject(v) && !Array.isArray(v)))} depth={0} />
          </section>
          {Object.entries(sys.data)
            .filter(([, v]) => isObject(v) || Array.isArray(v))
            .map(([k, v]) => (
              <section class="card" key={k} aria-labelledby={`sys-${k}`}>
                <h2 id={`sys-${k}`}>{label(k)}</h2>
                <Value k={k} v={v} depth={0} />
              </section>
            ))}
        </div>
      ) : (
        <pre>{JSON.stringify(sys.data, null, 2)}</pre>
      )}
    </section>
  );
}
