// The box's interfaces and addresses, read through rtnetlink by the addon
// (native/net/rtnl.cc), so the firewall follows the real interfaces: WAN
// traffic is what arrives on an interface that holds a WAN side's address.
import { loadAddon } from '../sip/native.js';
import type { ConfigDocument } from '../config/document.js';
import { normalizeIp } from './cidr.js';
import { wanSides } from './ruleset.js';

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  prefixLen: number;
}

export interface NetInterface {
  index: number;
  name: string;
  up: boolean;
  loopback: boolean;
  addresses: InterfaceAddress[];
}

// One change the kernel announced (rtnetlink RTMGRP_LINK, RTMGRP_IPV4_IFADDR,
// RTMGRP_IPV6_IFADDR; native/net/rtnl_watch.cc). 'resync': notifications
// were lost, re-read everything.
export interface NetChange {
  kind: 'link' | 'address' | 'resync';
  removed: boolean;
  index: number;
  name: string; // link
  up: boolean; // link
  family: 0 | 4 | 6; // address
  address: string;
  prefixLen: number;
}

export interface NetWatch {
  close(): void;
}

interface NetAddon {
  netInterfaces(): NetInterface[];
  watchNetChanges(onChanges: (changes: NetChange[]) => void): NetWatch;
}

export function readInterfaces(): NetInterface[] {
  return (loadAddon() as unknown as NetAddon).netInterfaces();
}

// Follows the kernel's interface and address changes (a thread in the addon;
// never keeps the process alive). Throws ERR_RTNETLINK when it cannot.
export function watchNetChanges(onChanges: (changes: NetChange[]) => void): NetWatch {
  return (loadAddon() as unknown as NetAddon).watchNetChanges(onChanges);
}

// Interfaces that carry a WAN side's address and no other side's address
// (an interface shared with the LAN cannot be filtered as WAN), never
// loopback. Sorted names.
export function wanInterfacesOf(doc: ConfigDocument, interfaces: readonly NetInterface[]): string[] {
  const wan = new Set(wanSides(doc));
  const norm = (a: string) => normalizeIp(a)?.text ?? a;
  const wanAddrs = new Set<string>();
  const otherAddrs = new Set<string>();
  for (const [name, side] of Object.entries(doc.sides)) {
    for (const a of side.addresses) (wan.has(name) ? wanAddrs : otherAddrs).add(norm(a));
  }
  return interfaces
    .filter((i) => !i.loopback)
    .filter((i) => i.addresses.some((a) => wanAddrs.has(norm(a.address))))
    .filter((i) => !i.addresses.some((a) => otherAddrs.has(norm(a.address))))
    .map((i) => i.name)
    .sort();
}
