// Puts the API on HTTPS sockets: one server per listen address (the
// addresses of api.sides plus api.addresses — never a wildcard, so the API
// is not reachable on a side it was not asked to serve), all with the same
// certificate. A connection from outside api.allowed_networks is closed
// before the TLS handshake.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ApiConfig, ConfigDocument } from '../config/document.js';
import { contains, normalizeIp, parseCidr, type Cidr } from '../firewall/cidr.js';

export interface ApiTls {
  certFile: string;
  keyFile: string;
}

export interface ApiListener {
  // "address:port" per socket.
  readonly bound: string[];
  close(): Promise<void>;
}

// Every address the API listens on: those of its sides, then its own.
export function apiAddresses(doc: ConfigDocument): string[] {
  const out: string[] = [];
  for (const s of doc.api.sides) for (const a of doc.sides[s]?.addresses ?? []) if (!out.includes(a)) out.push(a);
  for (const a of doc.api.addresses) if (!out.includes(a)) out.push(a);
  return out;
}

// The certificate: the API's own files, else the SIP TLS ones.
export function apiTlsFiles(api: ApiConfig, sipTls: ApiTls): ApiTls {
  return api.cert_file && api.key_file ? { certFile: api.cert_file, keyFile: api.key_file } : sipTls;
}

// A source filter from api.allowed_networks ([] = everyone).
export function sourceFilter(networks: readonly string[]): (ip: string | undefined) => boolean {
  const blocks = networks.map((n) => parseCidr(n)).filter((c): c is Cidr => typeof c !== 'string');
  if (blocks.length === 0) return () => true;
  return (ip) => {
    const addr = ip ? normalizeIp(ip) : undefined;
    if (!addr) return false;
    const single = parseCidr(addr.text);
    return typeof single !== 'string' && blocks.some((b) => contains(b, single));
  };
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function listenApi(
  app: FastifyInstance,
  opts: { addresses: string[]; port: number; tls: ApiTls; allowedNetworks: readonly string[] },
): Promise<ApiListener> {
  await app.ready();
  const cert = readFileSync(opts.tls.certFile);
  const key = readFileSync(opts.tls.keyFile);
  const allowed = sourceFilter(opts.allowedNetworks);
  const servers: Server[] = [];
  const bound: string[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s.listening) return resolve();
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const host of opts.addresses) {
      const server = createServer({ cert, key, minVersion: 'TLSv1.2' }, app.routing);
      server.on('connection', (sock: Socket) => {
        if (!allowed(sock.remoteAddress)) sock.destroy();
      });
      // Slow clients cannot hold sockets for ever.
      server.headersTimeout = 20_000;
      server.requestTimeout = 60_000;
      servers.push(server);
      await listenOn(server, host, opts.port);
      const port = (server.address() as AddressInfo).port;
      bound.push(`${host.includes(':') ? `[${host}]` : host}:${port}`);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    bound,
    close: async () => {
      await closeAll();
      await app.close();
    },
  };
}
