// The embedded default: what a fresh box runs (loopback only, so a
// development checkout starts without touching real interfaces).
// Kept identical to the agreed document shape (docs/config.md).
import type { ConfigDocument } from './document.js';
import { DEFAULT_SCANNER_USER_AGENTS } from './schema/firewall.js';

export function defaultConfig(): ConfigDocument {
  return {
    version: 1,
    system: { name: 'edgesbc', log_level: 'info' },
    sip: {
      user_agent: 'EdgeSBC',
      max_calls_in_progress: 1000,
      retry_after_s: 5,
      timers: { t1_ms: 500, t2_ms: 4000, t4_ms: 5000 },
      session_timer: { enabled: true, expires_s: 1800, min_se_s: 90 },
      shutdown_grace_s: 30,
      dns_servers: [],
    },
    tls: { min_version: '1.2', cert_file: '', key_file: '' },
    media: { workers: 0, timeout_s: 60, hold_timeout_s: 0 },
    sides: {
      lan: { addresses: ['127.0.0.1'], advertised_address: '', udp: 5060, tcp: 5060, tls: 5061, media: sideMedia() },
      wan: { addresses: ['127.0.0.2'], advertised_address: '', udp: 5070, tcp: 5070, tls: 5071, media: sideMedia() },
    },
    trunks: [
      // A loopback test trunk: generic (no credentials, numbers as dialled)
      // over UDP, so a fresh checkout calls SIPp with no setup.
      {
        name: 'vonage',
        kind: 'generic',
        side: 'wan',
        transport: 'udp',
        region: '',
        endpoint_set: '',
        endpoints: [{ host: '127.0.0.1', port: 5080 }],
        srv: false,
        sip_domain: '',
        api_key: '',
        api_secret: '',
        country: '',
        caller_id: { mode: 'pass', number: '' },
        register: { enabled: false, interval_s: 3600 },
        session_timer: { mode: 'inherit', expires_s: 0, min_se_s: 0 },
        header_rules: [],
        from_domain: '',
        options_ping_s: 0,
        media: { srtp: 'off', latching: 'same-ip', codecs: [], transcode: 'when-needed' },
        enabled: true,
      },
    ],
    sip_domains: [],
    pbxs: [
      {
        name: 'pbx',
        side: 'lan',
        host: '127.0.0.1',
        port: 5090,
        transport: 'udp',
        registration: { mode: 'static', username: '', password: '' },
        allowed_numbers: [],
        header_rules: [],
        media: { srtp: 'off', latching: 'until-signalled', codecs: [], transcode: 'when-needed' },
        enabled: true,
      },
    ],
    routes: [
      {
        name: 'pbx-to-vonage',
        from_side: 'lan',
        match: { ruri_user: '', from_trunk: '' },
        to: { trunk: 'vonage' },
        priority: 100,
        enabled: true,
      },
      {
        name: 'vonage-to-pbx',
        from_side: 'wan',
        match: { ruri_user: '', from_trunk: '' },
        to: { pbx: 'pbx' },
        priority: 100,
        enabled: true,
      },
    ],
    firewall: {
      enabled: false,
      wan_sides: [],
      wan_interfaces: [],
      trunks: {},
      address_lists: {},
      resolve_interval_s: 300,
      admin: { tcp_ports: [22], networks: [] },
      icmp_per_s: 10,
      bans: {
        timeout_s: 3600,
        allow_list: [],
        unknown_sources: true,
        scanner_user_agents: [...DEFAULT_SCANNER_USER_AGENTS],
        auth_failures: 5,
        auth_window_s: 60,
      },
      flood: { packets_per_s: 500, burst: 1000, ban_timeout_s: 600 },
    },
    api: {
      enabled: true,
      port: 8443,
      sides: ['lan'],
      addresses: [],
      allowed_networks: [],
      cert_file: '',
      key_file: '',
      session_idle_min: 30,
      login_max_failures: 5,
      lockout_s: 300,
      login_rate_per_min: 10,
    },
    cdr: { enabled: true, retention_days: 90 },
  };
}

function sideMedia() {
  return { address: '', advertised_address: '', port_min: 10000, port_max: 20000 };
}
