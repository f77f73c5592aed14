// Run inside the PBX's namespace: logs in to sbcd's admin API on the LAN
// side (first-boot password from the data dir, changed as required) and
// prints GET /api/v1/bans as JSON. Arguments: host port passwordFile caFile.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const [host, port, passwordFile, caFile] = process.argv.slice(2) as [string, string, string, string];
const ca = readFileSync(caFile);
let cookie = '';
let csrf = '';

function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host, port: Number(port), method, path: `/api/v1${path}`, ca, timeout: 5000,
        // The self-signed certificate names the box, not its address: trusted by key.
        checkServerIdentity: () => undefined,
        headers: {
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(cookie ? { cookie } : {}),
          ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const sc = res.headers['set-cookie']?.[0];
          if (sc?.startsWith('edgesbc_session=')) cookie = sc.split(';')[0]!;
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const password = readFileSync(passwordFile, 'utf8').trim();
const login = await call('POST', '/auth/login', { name: 'admin', password });
csrf = String(login.csrfToken);
const changed = await call('POST', '/auth/password', { current: password, next: 'registrar-test-pass-1' });
csrf = String(changed.csrfToken);
process.stdout.write(JSON.stringify(await call('GET', '/bans')) + '\n');
