// A real sbcd with its admin API on a free loopback port, for the browser
// tests: started with the harness, waited on until the API listens (it writes
// the first-boot password then), and the first-boot password read back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDR, freePort, startSbcd, type PartialConfig, type Sbcd } from '../harness/index.js';

export interface AdminSbcd {
  sbc: Sbcd;
  /** https://<LAN address>:<API port> (self-signed certificate). */
  base: string;
  /** What sbcd wrote to <data dir>/admin-password on first boot. */
  firstPassword: string;
}

export async function startAdminSbcd(config: PartialConfig = {}): Promise<AdminSbcd> {
  const apiPort = await freePort(ADDR.sbcLan);
  const sbc = await startSbcd({ config: { ...config, api: { port: apiPort } } });
  try {
    await sbc.waitForLog((l) => l.msg === 'admin API listening', 15_000);
    return { sbc, base: `https://${ADDR.sbcLan}:${apiPort}`, firstPassword: firstBootPassword(sbc) };
  } catch (err) {
    await sbc.stop();
    throw err;
  }
}

export function firstBootPassword(sbc: Sbcd): string {
  return readFileSync(join(sbc.dataDir, 'admin-password'), 'utf8').trim();
}
