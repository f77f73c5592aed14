// The two things an installer copies out of the SBC: the SIP URI to paste
// into the Vonage dashboard (numbers → forward to), and a config snippet for
// the PBX that points it at the SBC.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download, messageOf } from '../api/client.js';
import { rec, str } from '../api/shapes.js';
import { candidate, refreshPending } from '../state/config.js';
import { isObject } from '../schema/json-schema.js';

const SNIPPET_KINDS = [
  { kind: 'asterisk-pjsip', label: 'Asterisk (PJSIP)' },
  { kind: 'asterisk-sip', label: 'Asterisk (chan_sip)' },
  { kind: 'freepbx', label: 'FreePBX' },
  { kind: 'freeswitch', label: 'FreeSWITCH' },
];

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or not a secure context): select and copy.
    if (!fallback) return false;
    fallback.select();
    return document.execCommand('copy');
  }
}

function pbxNames(): string[] {
  const v = candidate.value?.pbxs;
  return Array.isArray(v) ? v.flatMap((x) => (isObject(x) && typeof x.name === 'string' ? [x.name] : [])) : [];
}

function routeList(): Array<{ name: string; fromSide: string }> {
  const v = candidate.value?.routes;
  return Array.isArray(v) ? v.flatMap((x) => (isObject(x) && typeof x.name === 'string' ? [{ name: x.name, fromSide: str(x.from_side) }] : [])) : [];
}

export function VonagePage() {
  useEffect(() => {
    void refreshPending().catch(() => undefined);
  }, []);
  const routes = routeList();
  const [route, setRoute] = useState('');
  const [did, setDid] = useState('');
  const [uri, setUri] = useState<{ value: string; notes: string[] } | undefined>(undefined);
  const [uriError, setUriError] = useState('');
  const [copied, setCopied] = useState('');
  const [kind, setKind] = useState(SNIPPET_KINDS[0]!.kind);
  const [snipError, setSnipError] = useState('');
  const [pbx, setPbx] = useState('');
  const [preview, setPreview] = useState('');
  const pbxs = pbxNames();
  const uriInput = useRef<HTMLInputElement>(null);
  // Inbound calls come from Vonage: a route from a side other than the PBXs' is the likely one.
  const chosen = route || routes.find((r) => r.fromSide !== 'lan')?.name || routes[0]?.name || '';

  useEffect(() => {
    setCopied('');
    if (!chosen) return;
    const q = new URLSearchParams({ did_route: chosen });
    if (did.trim()) q.set('did', did.trim());
    api.get<unknown>(`/vonage/dashboard-uri?${q.toString()}`).then(
      (b) => {
        const r = rec(b);
        setUri({ value: str(r.value ?? r.uri), notes: Array.isArray(r.notes) ? r.notes.map(str) : [] });
        setUriError('');
      },
      (err: unknown) => {
        setUri(undefined);
        setUriError(messageOf(err));
      },
    );
  }, [chosen, did]);

  // The snippet itself, shown before it is downloaded: of the candidate,
  // like the PBX list it is chosen from and the dashboard URI above.
  const snippetQuery = (format: 'json' | 'text'): string => {
    const q = new URLSearchParams({ layer: 'candidate', ...(format === 'json' ? { format } : {}) });
    if (pbx) q.set('pbx', pbx);
    const qs = q.toString();
    return `/pbx-snippets/${kind}${qs ? `?${qs}` : ''}`;
  };
  useEffect(() => {
    api.get<unknown>(snippetQuery('json')).then(
      (b) => {
        setPreview(str(rec(b).text));
        setSnipError('');
      },
      (err: unknown) => {
        setPreview('');
        setSnipError(messageOf(err));
      },
    );
  }, [kind, pbx, candidate.value]);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Vonage and PBX</h1>
      <section class="card" aria-labelledby="uri-title">
        <h2 id="uri-title">Vonage dashboard URI</h2>
        <p class="help">Paste this into the Vonage dashboard as the number's (or the trunk's) forwarding SIP URI, so inbound calls come to this box.</p>
        {routes.length ? (
          <div class="inline-form">
            <div class="field">
              <label for="uri-route">Route of the number</label>
              <select id="uri-route" value={chosen} onChange={(e) => setRoute((e.currentTarget as HTMLSelectElement).value)}>
                {routes.map((r) => (
                  <option key={r.name} value={r.name}>
                    {r.name} (from {r.fromSide})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="uri-did">Number (DID)</label>
              <input
                id="uri-did"
                inputMode="numeric"
                value={did}
                aria-describedby="uri-did-help"
                onInput={(e) => setDid((e.currentTarget as HTMLInputElement).value)}
              />
              <p class="help" id="uri-did-help">
                Only when the route matches a pattern rather than one number.
              </p>
            </div>
          </div>
        ) : (
          <p class="empty">No route yet: add one from the WAN side that sends the number to a PBX.</p>
        )}
        <div class="copy-row">
          <label for="uri-value" class="sr-only">
            Dashboard URI
          </label>
          <input id="uri-value" ref={uriInput} readOnly value={uri?.value ?? ''} class="mono" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          <button
            type="button"
            class="primary"
            disabled={!uri?.value}
            onClick={async () => setCopied((await copyText(uri?.value ?? '', uriInput.current)) ? 'Copied to the clipboard.' : 'Could not copy: select the text and copy it.')}
          >
            Copy
          </button>
        </div>
        <p role="status" class="muted">
          {copied}
        </p>
        {uri?.notes.length ? (
          <ul class="notes">
            {uri.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
        {uriError ? (
          <p class="error" role="alert">
            {uriError}
          </p>
        ) : null}
      </section>
      <section class="card" aria-labelledby="snip-title">
        <h2 id="snip-title">PBX configuration snippet</h2>
        <p class="help">A trunk definition for the PBX that sends its calls to this SBC and accepts calls from it.</p>
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const f = await download(snippetQuery('text'));
              const a = document.createElement('a');
              a.href = URL.createObjectURL(new Blob([f.text], { type: f.type }));
              a.download = f.filename;
              document.body.appendChild(a);
              a.click();
              a.remove();
              setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
              setSnipError('');
            } catch (err) {
              setSnipError(messageOf(err));
            }
          }}
        >
          <div class="field">
            <label for="snip-kind">PBX type</label>
            <select id="snip-kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
              {SNIPPET_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          </div>
          {pbxs.length > 1 ? (
            <div class="field">
              <label for="snip-pbx">For the PBX</label>
              <select id="snip-pbx" value={pbx} onChange={(e) => setPbx((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">{pbxs[0]} (the first)</option>
                {pbxs.slice(1).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <button type="submit" class="primary" disabled={!preview}>
            Download
          </button>
        </form>
        {preview ? (
          <pre class="snippet" tabIndex={0} aria-label="Snippet preview">
            {preview}
          </pre>
        ) : null}
        {snipError ? (
          <p class="error" role="alert">
            {snipError}
          </p>
        ) : null}
      </section>
    </section>
  );
}
