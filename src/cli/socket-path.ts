// Where sbcd's local socket is, as sbcd picks its data directory:
// EDGESBC_SOCKET, then EDGESBC_DATA_DIR, then the appliance's
// /var/lib/edgesbc when it exists, then the checkout's data/.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const APPLIANCE_DATA_DIR = '/var/lib/edgesbc';
export const SOCKET_FILE = 'sbcd.sock';

export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env, applianceDir = APPLIANCE_DATA_DIR): string {
  if (env.EDGESBC_SOCKET) return env.EDGESBC_SOCKET;
  if (env.EDGESBC_DATA_DIR) return join(env.EDGESBC_DATA_DIR, SOCKET_FILE);
  // The directory, not the socket: the admin may not be allowed to list it.
  if (existsSync(applianceDir)) return join(applianceDir, SOCKET_FILE);
  return join(CHECKOUT, 'data', SOCKET_FILE);
}
