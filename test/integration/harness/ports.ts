// Free ports and scratch directories. Tests run two files in parallel, so a
// port is handed out at most once per process and checked free on both UDP
// and TCP (the daemon uses the same number for both on a side).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir } from './cleanup.js';

const handedOut = new Set<number>();

function tcpFree(ip: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ host: ip, port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : null;
      srv.close(() => resolve(got));
    });
  });
}

function udpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind({ address: ip, port, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** A port free for UDP and TCP on `ip`, never returned twice by this process. */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await tcpFree(ip, 0);
    if (port === null) throw new Error(`freePort: cannot bind TCP on ${ip}`);
    if (handedOut.has(port)) continue;
    if (!(await udpFree(ip, port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`freePort: no free UDP+TCP port found on ${ip}`);
}

/** A fresh scratch directory, removed at exit when the run passed. */
export function tmpDir(prefix = 'edgesbc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  trackDir(dir);
  return dir;
}
