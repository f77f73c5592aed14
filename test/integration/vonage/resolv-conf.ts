// `ip netns exec NS` bind-mounts /etc/netns/NS/resolv.conf over
// /etc/resolv.conf for the program it runs, so anything started in NS after
// this (sbcd's c-ares resolver included: it reads resolv.conf when its
// channel is created) asks the stand-in's dnsmasq, with no config key. The
// file goes away with remove(), and at process exit.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const written = new Set<string>();
let hooked = false;

export function pointResolverAt(ns: string, serverIp: string): { remove(): void } {
  if (!/^[A-Za-z0-9_.-]+$/.test(ns)) throw new Error(`pointResolverAt: bad namespace name "${ns}"`);
  const dir = join('/etc/netns', ns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), `# vonage stand-in (test)\nnameserver ${serverIp}\noptions timeout:1 attempts:2\n`);
  written.add(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const d of written) rmSync(d, { recursive: true, force: true });
    });
  }
  return {
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      written.delete(dir);
    },
  };
}
