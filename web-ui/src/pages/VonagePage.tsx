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

function names(key: string): string[] {
  const v = candidate.value?.[key];
  return Array.isArray(v) ? v.flatMap((x) => (isObject(x) && typeof x.name === 'string' ? [x.name] : [])) : [];
}

export function VonagePage() {
  useEffect(() => {
    void refreshPending().catch(() => undefined);
  }, []);
  const routes = names('routes');
  const pbxs = names('pbxs');
  const [route, setRoute] = useState('');
  const [uri, setUri] = useState('');
  const [uriError, setUriError] = useState('');
  const [copied, setCopied] = useState('');
  const [kind, setKind] = useState(SNIPPET_KINDS[0]!.kind);
  const [pbx, setPbx] = useState('');
  const [snipError, setSnipError] = useState('');
  const uriInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setCopied('');
    const q = route ? `?did_route=${encodeURIComponent(route)}` : '';
    api.get<unknown>(`/vonage/dashboard-uri${q}`).then(
      (b) => {
        setUri(typeof b === 'string' ? b : str(rec(b).uri ?? rec(b).value));
        setUriError('');
      },
      (err: unknown) => {
        setUri('');
        setUriError(messageOf(err));
      },
    );
  }, [route]);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Vonage and PBX</h1>
      <section class="card" aria-labelledby="uri-title">
        <h2 id="uri-title">Vonage dashboard URI</h2>
        <p class="help">Paste this into the Vonage dashboard as the number's (or the trunk's) forwarding SIP URI, so inbound calls come to this box.</p>
        {routes.length ? (
          <div class="field">
            <label for="uri-route">For the route</label>
            <select id="uri-route" value={route} onChange={(e) => setRoute((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">(default)</option>
              {routes.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div class="copy-row">
          <label for="uri-value" class="sr-only">
            Dashboard URI
          </label>
          <input id="uri-value" ref={uriInput} readOnly value={uri} class="mono" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          <button
            type="button"
            class="primary"
            disabled={!uri}
            onClick={async () => setCopied((await copyText(uri, uriInput.current)) ? 'Copied to the clipboard.' : 'Could not copy: select the text and copy it.')}
          >
            Copy
          </button>
        </div>
        <p role="status" class="muted">
          {copied}
        </p>
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
              const q = pbx ? `?pbx=${encodeURIComponent(pbx)}` : '';
              const f = await download(`/pbx-snippets/${kind}${q}`);
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
                <option value="">(first)</option>
                {pbxs.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <button type="submit" class="primary">
            Download
          </button>
        </form>
        {snipError ? (
          <p class="error" role="alert">
            {snipError}
          </p>
        ) : null}
      </section>
    </section>
  );
}
