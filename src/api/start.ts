// Starting the admin API inside sbcd: build the fastify instance on the
// daemon's parts, make the first-boot admin when there are no users, and
// listen on HTTPS. A failure to listen is logged and sbcd runs on: calls
// matter more than the admin UI, and the log says what to fix.
import type { ConfigDocument } from '../config/document.js';
import type { Logger } from '../log.js';
import { ensureFirstBootAdmin } from './auth/first-boot.js';
import type { ApiDeps } from './context.js';
import { apiAddresses, apiTlsFiles, listenApi, type ApiListener, type ApiTls } from './listen.js';
import { startLocalSocket, type LocalSocket } from './local-socket.js';
import { buildApiServer, type ApiServer } from './server.js';

export interface AdminApi {
  server: ApiServer;
  listener: ApiListener | undefined;
  close(): Promise<void>;
}

// What of the api section needs a restart to take effect.
export function listenSettingsOf(doc: ConfigDocument): string {
  const a = doc.api;
  return JSON.stringify([a.enabled, a.port, apiAddresses(doc), a.allowed_networks, a.cert_file, a.key_file]);
}

export async function startAdminApi(opts: {
  doc: ConfigDocument;
  deps: ApiDeps & { dataDir: string };
  sipTls: () => ApiTls;
  webRoot?: string;
  log: Logger;
}): Promise<AdminApi> {
  const { doc, deps, log } = opts;
  await ensureFirstBootAdmin(deps.store, deps.dataDir, log);
  const server = await buildApiServer(deps, opts.webRoot ? { webRoot: opts.webRoot } : {});
  // The console CLI's Unix socket (src/cli/), whatever api.enabled says.
  let local: LocalSocket | undefined;
  try {
    local = await startLocalSocket(server, { dataDir: deps.dataDir, log });
  } catch (err) {
    log.error({ err }, 'local socket not listening: the sbc CLI cannot reach sbcd');
  }
  let listener: ApiListener | undefined;
  if (doc.api.enabled) {
    const addresses = apiAddresses(doc);
    try {
      listener = await listenApi(server.app, {
        addresses,
        port: doc.api.port,
        tls: apiTlsFiles(doc.api, opts.sipTls()),
        allowedNetworks: doc.api.allowed_networks,
      });
      log.info({ listen: listener.bound.map((b) => `https://${b}/`) }, 'admin API listening');
      // Linux takes a packet for any of its addresses on any interface: without
      // the firewall, a WAN peer that routes the LAN address through the box gets in.
      const exposed = addresses.filter((a) => !/^127\.|^::1$/.test(a));
      if (exposed.length > 0 && !doc.firewall.enabled && doc.api.allowed_networks.length === 0) {
        log.warn(
          { addresses: exposed },
          'admin API open to any network that routes to these addresses: enable the firewall or set api.allowed_networks',
        );
      }
    } catch (err) {
      log.error({ err, addresses, port: doc.api.port }, 'admin API not listening: fix api.* (or free the port) and restart sbcd');
    }
  } else {
    log.info('admin API disabled (api.enabled: false)');
  }
  return {
    server,
    listener,
    close: async () => {
      await local?.close();
      if (listener) await listener.close();
      else await server.app.close();
    },
  };
}
