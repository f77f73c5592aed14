import type { JSONSchemaType } from 'ajv';
import type { SipConfig } from '../document.js';
import { FILL_IN } from './common.js';

const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
// Loose here (hex digits, dots, at least two colons); src/config/semantic.ts
// checks that it is a real IPv6 address.
const IPV6 = '[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*';
const PORT = '(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
/** "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353". */
export const DNS_SERVER_PATTERN = `^(?:${IPV4}(?::${PORT})?|\\[${IPV6}\\](?::${PORT})?|${IPV6})$`;

export const sipSchema: JSONSchemaType<SipConfig> = {
  type: 'object',
  description: 'SIP engine settings shared by every side.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['user_agent', 'max_calls_in_progress', 'retry_after_s', 'timers', 'session_timer', 'shutdown_grace_s', 'dns_servers'],
  properties: {
    user_agent: {
      type: 'string',
      maxLength: 128,
      pattern: '^[\\x20-\\x7e]*$',
      default: 'EdgeSBC',
      description: 'User-Agent / Server header value; "" sends none.',
    },
    max_calls_in_progress: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1000,
      description: 'Calls being set up or established; beyond it new INVITEs get 503 + Retry-After.',
    },
    retry_after_s: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 5,
      description: 'Retry-After value (seconds) on overload 503s.',
    },
    timers: {
      type: 'object',
      description: 'RFC 3261 transaction timers.',
      additionalProperties: false,
      default: FILL_IN,
      required: ['t1_ms', 't2_ms', 't4_ms'],
      properties: {
        t1_ms: { type: 'integer', minimum: 10, maximum: 60000, default: 500, description: 'RTT estimate (T1).' },
        t2_ms: { type: 'integer', minimum: 10, maximum: 60000, default: 4000, description: 'Maximum retransmit interval (T2), >= t1_ms.' },
        t4_ms: { type: 'integer', minimum: 10, maximum: 60000, default: 5000, description: 'Maximum time a message stays in the network (T4).' },
      },
    },
    session_timer: {
      type: 'object',
      description: 'RFC 4028 session timers, negotiated on each leg of a call on its own (V-OUT-11).',
      additionalProperties: false,
      default: FILL_IN,
      required: ['enabled', 'expires_s', 'min_se_s'],
      properties: {
        enabled: {
          type: 'boolean',
          default: true,
          description: 'Offer session timers on every leg (Supported: timer) and honour a peer’s; false = ignore them.',
        },
        expires_s: {
          type: 'integer',
          minimum: 90,
          maximum: 86400,
          default: 1800,
          description: 'Session-Expires we ask for, and the longest interval we accept from a peer (seconds).',
        },
        min_se_s: {
          type: 'integer',
          minimum: 90,
          maximum: 86400,
          default: 90,
          description: 'Smallest interval we accept (Min-SE, seconds; RFC 4028’s floor is 90); less gets 422. <= expires_s.',
        },
      },
    },
    shutdown_grace_s: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 30,
      description: 'On SIGTERM, how long to wait for calls to end.',
    },
    dns_servers: {
      type: 'array',
      maxItems: 8,
      uniqueItems: true,
      default: [],
      description: 'DNS servers for RFC 3263 (NAPTR/SRV/A) resolution of trunk hosts, "ip" or "ip:port" ("[v6]:port"), in order; [] = the system resolver (/etc/resolv.conf). Read at start.',
      items: { type: 'string', pattern: DNS_SERVER_PATTERN },
    },
  },
};
