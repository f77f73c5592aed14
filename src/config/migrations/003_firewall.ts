// Migration 3: the firewall section lives in `settings` (issue 7,
// docs/decisions/0008-sbc-owned-nftables-table.md). Migration 1 made four
// tables for a profile/rule model that issue 7 did not take: the firewall is
// generated from the trunks and sides, not written rule by rule, and its
// address lists are small maps of CIDR strings that round-trip through the
// JSON leaves of `settings` with no code of their own. Nothing ever wrote
// these tables, so dropping them loses no data.
export const version = 3;
export const name = 'firewall';

export const sql = `
DROP TABLE firewall_rules;
DROP TABLE firewall_profiles;
DROP TABLE address_list_entries;
DROP TABLE address_lists;
`;
