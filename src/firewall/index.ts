// The SBC's firewall: one nftables table generated from the running config
// (docs/firewall.md).
export { Firewall, normalizeIp, type BanInfo, type FirewallOptions, type PreviewResult, type Resolver } from './firewall.js';
export { BanPolicy, type BanDecision, type BanReason, type RequestSeen } from './ban-policy.js';
export { allLists, builtinLists, type AddressList } from './address-lists.js';
export { importAddressList } from './import-list.js';
export { NftError } from './nft.js';
export { TABLE, generateRuleset } from './ruleset.js';
export { attachToStore } from './store-hook.js';
