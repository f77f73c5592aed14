// TypeScript shape of the config document (v1). The JSON Schemas in
// ./schema/ are typed with ajv's JSONSchemaType<T> against these interfaces,
// so a field added on one side and not the other fails to compile.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type Transport = 'udp' | 'tcp' | 'tls';
export type TlsVersion = '1.0' | '1.1' | '1.2' | '1.3';

export interface SystemConfig {
  name: string;
  log_level: LogLevel;
}

export interface SipTimers {
  t1_ms: number;
  t2_ms: number;
  t4_ms: number;
}

// RFC 4028 session timers, negotiated on each leg of a call on its own
// (V-OUT-11): what the SBC asks for and the least it accepts.
export interface SessionTimerConfig {
  enabled: boolean;
  expires_s: number;
  min_se_s: number;
}

export interface SipConfig {
  user_agent: string;
  max_calls_in_progress: number;
  retry_after_s: number;
  timers: SipTimers;
  session_timer: SessionTimerConfig;
  shutdown_grace_s: number;
  /** DNS servers for RFC 3263 resolution, "ip" or "ip:port" ("[v6]:port"); [] = the system resolver. */
  dns_servers: string[];
}

export interface TlsConfig {
  min_version: TlsVersion;
  cert_file: string;
  key_file: string;
}

export interface SideMediaConfig {
  address: string;
  advertised_address: string;
  port_min: number;
  port_max: number;
}

export interface SideConfig {
  addresses: string[];
  /**
   * Network interface whose first global IPv4 address the side's SIP
   * listeners and media use instead of `addresses`, followed while running
   * (src/sip/side-interfaces.ts). Absent or "" = `addresses`.
   */
  interface?: string;
  advertised_address: string;
  udp: number;
  tcp: number;
  tls: number;
  media: SideMediaConfig;
}

export type LatchMode = 'off' | 'until-signalled' | 'same-ip';
export type SrtpMode = 'off' | 'sdes';
export type TranscodeMode = 'when-needed' | 'off' | 'force';

export interface PeerMediaConfig {
  srtp: SrtpMode;
  latching: LatchMode;
  codecs: string[];
  transcode: TranscodeMode;
}

export interface MediaConfig {
  workers: number;
  timeout_s: number;
  hold_timeout_s: number;
}

export interface TrunkEndpoint {
  host: string;
  port: number;
}

// Trunk kinds: `vonage` applies what Vonage asks of a customer edge
// (credentials required, E.164 numbers V-OUT-4/5, endpoint sets V-OUT-1/3);
// `generic` is a plain SIP trunk (digest only when api_key is set, numbers
// passed as dialled).
export type TrunkKind = 'vonage' | 'generic';
// Vonage regions as written in its host names (sip-us, sip-eu, sip-ap); ""
// = none chosen.
export type VonageRegion = '' | 'us' | 'eu' | 'ap';

// Caller ID sent to the trunk (V-OUT-5): the PBX's From user, a fixed
// number, or the user of the PBX's P-Asserted-Identity (From when absent).
export type CallerIdMode = 'pass' | 'fixed' | 'pai';

export interface CallerIdConfig {
  mode: CallerIdMode;
  number: string;
}

// Optional REGISTER of the SBC at the trunk (with the trunk's credentials).
export interface TrunkRegisterConfig {
  enabled: boolean;
  interval_s: number;
}

// RFC 4028 session timers on the leg toward this trunk (V-OUT-11), over
// sip.session_timer: mode inherit takes the global settings, on/off decides
// here; expires_s / min_se_s 0 = the global value.
export type TrunkSessionTimerMode = 'inherit' | 'on' | 'off';

export interface TrunkSessionTimerConfig {
  mode: TrunkSessionTimerMode;
  expires_s: number;
  min_se_s: number;
}

// Header manipulation on requests the SBC sends to a peer (V-OUT-12/13).
export type HeaderRuleAction = 'add' | 'remove' | 'rewrite';

export interface HeaderRule {
  action: HeaderRuleAction;
  // Header name; for remove, a trailing "*" matches a prefix ("X-Nexmo*").
  name: string;
  // add: the value; rewrite: the replacement ($1 … from pattern).
  value: string;
  // rewrite: JavaScript regex applied to the value.
  pattern: string;
}

export interface TrunkConfig {
  name: string;
  kind: TrunkKind;
  side: string;
  transport: Transport;
  region: VonageRegion;
  endpoint_set: string;
  endpoints: TrunkEndpoint[];
  srv: boolean;
  sip_domain: string;
  api_key: string;
  api_secret: string;
  country: string;
  caller_id: CallerIdConfig;
  register: TrunkRegisterConfig;
  session_timer: TrunkSessionTimerConfig;
  header_rules: HeaderRule[];
  from_domain: string;
  options_ping_s: number;
  media: PeerMediaConfig;
  enabled: boolean;
}

// Vonage Programmable SIP domain (V-PS-1..3): calls go to
// sip:NUMBER@NAME.sip-REGION.nexmo.com.
export type SipDomainAuth = 'digest' | 'acl';

export interface SipDomainConfig {
  name: string;
  region: VonageRegion;
  application_id: string;
  auth: SipDomainAuth;
  acl: string[];
}

// How the SBC knows where a PBX is: a fixed address, or the PBX registers
// to the SBC with a username and password.
export type PbxRegistrationMode = 'static' | 'register';

export interface PbxRegistrationConfig {
  mode: PbxRegistrationMode;
  username: string;
  password: string;
}

export interface PbxConfig {
  name: string;
  side: string;
  host: string;
  port: number;
  transport: Transport;
  registration: PbxRegistrationConfig;
  allowed_numbers: string[];
  header_rules: HeaderRule[];
  media: PeerMediaConfig;
  enabled: boolean;
}

export interface RouteMatch {
  ruri_user: string;
  from_trunk: string;
}

// One PBX of an ordered failover list (V-IN-2/3): tried for timeout_ms
// before the next.
export interface PbxTarget {
  pbx: string;
  timeout_ms: number;
}

// Exactly one of trunk / pbx / pbxs is present (schema: minProperties = maxProperties = 1).
export interface RouteTarget {
  trunk?: string;
  pbx?: string;
  pbxs?: PbxTarget[];
}

export interface RouteConfig {
  name: string;
  from_side: string;
  match: RouteMatch;
  to: RouteTarget;
  priority: number;
  enabled: boolean;
}

// Firewall (issue 7, docs/firewall.md). Media policy of a trunk on the WAN:
// open-range = the side's RTP port range from anywhere (Vonage's legacy
// advice, V-IN-7); vonage-ranges = that range only from the media lists;
// signalled-peers = only from the address/port pairs the media engine
// registers for each call.
export type MediaPolicy = 'open-range' | 'vonage-ranges' | 'signalled-peers';

export interface FirewallTrunkConfig {
  signalling_lists: string[];
  media_policy: MediaPolicy;
  media_lists: string[];
}

// An address list imported by the admin (the shipped Vonage lists live in
// data/vonage/ and are not part of the document).
export interface AddressListConfig {
  description: string;
  source: string;
  published: string;
  entries: string[];
}

export interface FirewallAdminConfig {
  tcp_ports: number[];
  networks: string[];
}

export interface FirewallBanConfig {
  timeout_s: number;
  allow_list: string[];
  unknown_sources: boolean;
  scanner_user_agents: string[];
  auth_failures: number;
  auth_window_s: number;
}

export interface FirewallFloodConfig {
  packets_per_s: number;
  burst: number;
  ban_timeout_s: number;
}

export interface FirewallConfig {
  enabled: boolean;
  wan_sides: string[];
  wan_interfaces: string[];
  trunks: Record<string, FirewallTrunkConfig>;
  address_lists: Record<string, AddressListConfig>;
  resolve_interval_s: number;
  admin: FirewallAdminConfig;
  icmp_per_s: number;
  bans: FirewallBanConfig;
  flood: FirewallFloodConfig;
}

// The HTTPS admin API (issue 8, docs/api.md): where it listens and how it
// guards logins. Sessions and lockouts live in memory.
export interface ApiConfig {
  enabled: boolean;
  port: number;
  sides: string[];
  addresses: string[];
  allowed_networks: string[];
  cert_file: string;
  key_file: string;
  session_idle_min: number;
  login_max_failures: number;
  lockout_s: number;
  login_rate_per_min: number;
}

// Call detail records (src/cdr/): one row per call in cdr.db, kept this long.
export interface CdrConfig {
  enabled: boolean;
  retention_days: number;
}

export interface ConfigDocument {
  version: 1;
  system: SystemConfig;
  sip: SipConfig;
  tls: TlsConfig;
  media: MediaConfig;
  sides: Record<string, SideConfig>;
  trunks: TrunkConfig[];
  sip_domains: SipDomainConfig[];
  pbxs: PbxConfig[];
  routes: RouteConfig[];
  firewall: FirewallConfig;
  api: ApiConfig;
  cdr: CdrConfig;
}

// Admin users live outside the document (see docs/config.md, "Users"): a
// rollback must never bring back a deleted account or an old password.
export type UserRole = 'admin' | 'operator' | 'viewer';

export interface UserInput {
  name: string;
  password: string;
  role: UserRole;
}

export interface UserInfo {
  name: string;
  role: UserRole;
  created_at: string;
  updated_at: string;
}

export type Layer = 'candidate' | 'running';
export type TextFormat = 'yaml' | 'json';
