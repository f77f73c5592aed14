// The one way into nftables: libnftables' JSON API in the native addon
// (native/net/nft.cc). Each call is one batch, one kernel transaction, run
// synchronously on the JS thread (measured: the whole table 28 ms, one ban
// element 0.8 ms; both rare, and the SIP thread is never blocked).
import { loadAddon } from '../sip/native.js';
import type { NftBatch } from './batch.js';
import type { Json } from './nft-json.js';

interface NftAddon {
  nftRun(json: string, dryRun?: boolean): string;
}

export class NftError extends Error {
  readonly code = 'ERR_NFT';
  // nft's own message (which command, what the kernel or parser refused).
  readonly nftMessage: string;

  constructor(message: string, what: string) {
    super(`nftables refused ${what}: ${message}`);
    this.name = 'NftError';
    this.nftMessage = message;
  }
}

export type NftRunner = (batch: NftBatch, opts?: { dryRun?: boolean; what?: string }) => Json[];

// Runs a batch; returns the "nftables" array of the output (list commands),
// [] when there is none. Throws NftError with nft's message.
export const runNft: NftRunner = (batch, opts = {}) => {
  const addon = loadAddon() as unknown as NftAddon;
  let out: string;
  try {
    out = addon.nftRun(JSON.stringify(batch), opts.dryRun ?? false);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_NFT') throw new NftError(e.message, opts.what ?? 'the batch');
    throw err;
  }
  if (out === '') return [];
  return (JSON.parse(out) as { nftables?: Json[] }).nftables ?? [];
};
