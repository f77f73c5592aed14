import type { JSONSchemaType } from 'ajv';
import type {
  AddressListConfig,
  FirewallAdminConfig,
  FirewallBanConfig,
  FirewallConfig,
  FirewallFloodConfig,
  FirewallTrunkConfig,
} from '../document.js';
import { FILL_IN, NAME_PATTERN } from './common.js';

// The nftables table the SBC owns (issue 7, docs/firewall.md). Addresses
// (CIDRs, list names, trunk and side names) are checked in semantic.ts, which
// can say which list or trunk is unknown; the schema checks shapes and ranges.

export const MEDIA_POLICIES = ['open-range', 'vonage-ranges', 'signalled-peers'] as const;

// Scanners that announce themselves (substring, case-insensitive). SIPVicious
// sends "friendly-scanner" by default; the others are seen in the wild.
export const DEFAULT_SCANNER_USER_AGENTS = [
  'friendly-scanner',
  'sipvicious',
  'sipcli',
  'VaxSIPUserAgent',
  'sip-scan',
  'sundayddr',
  'iWar',
  'SIPBomber',
  'smap',
  'pplsip',
];

const cidrList = (description: string, maxItems: number): JSONSchemaType<string[]> => ({
  type: 'array',
  maxItems,
  uniqueItems: true,
  default: [],
  items: { type: 'string', minLength: 1, maxLength: 64 },
  description,
});

const listNames = (description: string): JSONSchemaType<string[]> => ({
  type: 'array',
  maxItems: 16,
  uniqueItems: true,
  default: [],
  items: { type: 'string', pattern: NAME_PATTERN },
  description,
});

const trunkFirewallSchema: JSONSchemaType<FirewallTrunkConfig> = {
  type: 'object',
  description: 'Which sources may reach the trunk’s side (V-IN-6, V-IN-7).',
  additionalProperties: false,
  required: ['signalling_lists', 'media_policy', 'media_lists'],
  properties: {
    signalling_lists: listNames(
      'Address lists allowed to send SIP, besides the resolved addresses of the trunk’s endpoints.',
    ),
    media_policy: {
      type: 'string',
      enum: [...MEDIA_POLICIES],
      default: 'open-range',
      description:
        'open-range: the side’s RTP ports from anywhere; vonage-ranges: only from media_lists; signalled-peers: only from the peers each call signalled.',
    },
    media_lists: listNames('Address lists media may come from (media_policy vonage-ranges).'),
  },
};

const addressListSchema: JSONSchemaType<AddressListConfig> = {
  type: 'object',
  description: 'An address list imported by the admin (e.g. Vonage’s current list from its Knowledge Base).',
  additionalProperties: false,
  required: ['description', 'source', 'published', 'entries'],
  properties: {
    description: { type: 'string', maxLength: 256, default: '', description: 'What the list is.' },
    source: { type: 'string', minLength: 1, maxLength: 512, description: 'Where it was read (URL, document, ticket).' },
    published: {
      type: 'string',
      pattern: '^(|\\d{4}-\\d{2}-\\d{2})$',
      default: '',
      description: 'Date printed on the list (YYYY-MM-DD), "" when it has none.',
    },
    entries: {
      type: 'array',
      minItems: 1,
      maxItems: 4096,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 64 },
      description: 'Addresses or CIDR blocks, IPv4 or IPv6.',
    },
  },
};

const adminSchema: JSONSchemaType<FirewallAdminConfig> = {
  type: 'object',
  description: 'Admin access (web UI, SSH): always open on the LAN side; on WAN only from these networks.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['tcp_ports', 'networks'],
  properties: {
    tcp_ports: {
      type: 'array',
      maxItems: 8,
      uniqueItems: true,
      default: [22],
      items: { type: 'integer', minimum: 1, maximum: 65535 },
      description: 'Other admin TCP ports (SSH); the admin API\'s own port (api.port) is always included.',
    },
    networks: cidrList('Networks allowed to reach the admin ports through WAN.', 64),
  },
};

const banSchema: JSONSchemaType<FirewallBanConfig> = {
  type: 'object',
  description: 'Dynamic bans fed by what the SIP engine sees (a kernel set with timeouts).',
  additionalProperties: false,
  default: FILL_IN,
  required: ['timeout_s', 'allow_list', 'unknown_sources', 'scanner_user_agents', 'auth_failures', 'auth_window_s'],
  properties: {
    timeout_s: {
      type: 'integer',
      minimum: 1,
      maximum: 604800,
      default: 3600,
      description: 'How long a ban lasts.',
    },
    allow_list: cidrList('Addresses or networks never banned (neither by the SIP side nor by the flood meter).', 256),
    unknown_sources: {
      type: 'boolean',
      default: true,
      description: 'Ban a source that sends a request on a WAN side and is none of the trunks’ sources.',
    },
    scanner_user_agents: {
      type: 'array',
      maxItems: 64,
      default: DEFAULT_SCANNER_USER_AGENTS,
      items: { type: 'string', minLength: 3, maxLength: 64 },
      description: 'User-Agent substrings (case-insensitive) that get the sender banned at once.',
    },
    auth_failures: {
      type: 'integer',
      minimum: 0,
      maximum: 1000,
      default: 5,
      description: 'Digest failures from one source within auth_window_s that get it banned; 0 = off.',
    },
    auth_window_s: { type: 'integer', minimum: 1, maximum: 86400, default: 60, description: 'Window for auth_failures.' },
  },
};

const floodSchema: JSONSchemaType<FirewallFloodConfig> = {
  type: 'object',
  description: 'Per-source SIP packet meter on WAN, in the kernel: a source over the rate is banned there.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['packets_per_s', 'burst', 'ban_timeout_s'],
  properties: {
    packets_per_s: {
      type: 'integer',
      minimum: 0,
      maximum: 1000000,
      default: 500,
      description: 'SIP packets (and TCP connection attempts) per second one source may send; 0 = no meter.',
    },
    burst: { type: 'integer', minimum: 1, maximum: 1000000, default: 1000, description: 'Packets allowed above the rate at once.' },
    ban_timeout_s: { type: 'integer', minimum: 1, maximum: 604800, default: 600, description: 'Ban length for a flooding source.' },
  },
};

export const firewallSchema: JSONSchemaType<FirewallConfig> = {
  type: 'object',
  description: 'The nftables table the SBC owns (docs/firewall.md).',
  additionalProperties: false,
  default: FILL_IN,
  required: [
    'enabled',
    'wan_sides',
    'wan_interfaces',
    'trunks',
    'address_lists',
    'resolve_interval_s',
    'admin',
    'icmp_per_s',
    'bans',
    'flood',
  ],
  properties: {
    enabled: { type: 'boolean', default: false, description: 'Generate and apply the nftables table.' },
    wan_sides: {
      type: 'array',
      maxItems: 8,
      uniqueItems: true,
      default: [],
      items: { type: 'string', pattern: NAME_PATTERN },
      description: 'Sides facing the internet: default drop there; [] = the sides the trunks are on.',
    },
    wan_interfaces: {
      type: 'array',
      maxItems: 16,
      uniqueItems: true,
      default: [],
      items: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,15}$' },
      description: 'WAN network interfaces; [] = the interfaces holding the WAN sides’ addresses (rtnetlink), plus traffic addressed to them.',
    },
    trunks: {
      type: 'object',
      default: {},
      required: [],
      maxProperties: 64,
      propertyNames: { type: 'string', pattern: NAME_PATTERN },
      additionalProperties: trunkFirewallSchema,
      description: 'Per trunk (by name): signalling sources and media policy. A trunk not named here gets the defaults.',
    },
    address_lists: {
      type: 'object',
      default: {},
      required: [],
      maxProperties: 64,
      propertyNames: { type: 'string', pattern: NAME_PATTERN },
      additionalProperties: addressListSchema,
      description: 'Address lists imported by the admin, by name (the shipped Vonage lists are built in).',
    },
    resolve_interval_s: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 300,
      description: 'Re-resolve trunk endpoint names this often and update the sets in place; 0 = only on apply.',
    },
    admin: adminSchema,
    icmp_per_s: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 10,
      description: 'ICMP/ICMPv6 packets per second accepted on WAN (neighbour discovery always passes).',
    },
    bans: banSchema,
    flood: floodSchema,
  },
};
