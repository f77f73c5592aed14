#!/usr/bin/env node
// The appliance's first config (sbcd-start on a box with no config database):
// the embedded default, listening on the LAN port's address instead of
// loopback. Prints the JSON document that sbcd --config imports.
//
//   node dist/src/system/first-config.js LAN_IPV4
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { ConfigDocument } from '../config/document.js';
import { defaultConfig } from '../config/default-config.js';

export function firstConfig(lanAddress: string): ConfigDocument {
  if (isIP(lanAddress) === 0) throw new Error(`not an IP address: ${JSON.stringify(lanAddress)}`);
  const doc = defaultConfig();
  const lan = doc.sides.lan;
  if (!lan) throw new Error('the default config has no lan side');
  lan.addresses = [lanAddress];
  return doc;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${JSON.stringify(firstConfig(process.argv[2] ?? ''), null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`first-config: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
