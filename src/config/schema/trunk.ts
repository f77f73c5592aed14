import type { JSONSchemaType } from 'ajv';
import type { TrunkConfig } from '../document.js';
import { FILL_IN, NAME_PATTERN, SECRET, TRANSPORTS, peerPort } from './common.js';
import { headerRulesSchema } from './header-rules.js';
import { peerMediaSchema } from './media.js';

export const TRUNK_KINDS = ['vonage', 'generic'] as const;
// '' = no region (refused where one is needed: SRV, Programmable SIP domains).
export const VONAGE_REGIONS = ['', 'us', 'eu', 'ap'] as const;
export const CALLER_ID_MODES = ['pass', 'fixed', 'pai'] as const;

// Two fields have defaults that depend on another field (JSON Schema cannot
// say that; src/config/dependent-defaults.ts fills them before the schema
// runs): endpoints[].port is 5061 with transport tls, else 5060;
// media.srtp is sdes with transport tls, else off (V-OUT-10). The schema
// defaults below are what the schema alone would give.
export const trunkSchema: JSONSchemaType<TrunkConfig> = {
  type: 'object',
  description: 'A SIP trunk (Vonage) reached from one side.',
  additionalProperties: false,
  required: [
    'name', 'kind', 'side', 'transport', 'region', 'endpoint_set', 'endpoints', 'srv', 'sip_domain', 'api_key',
    'api_secret', 'country', 'caller_id', 'register', 'session_timer', 'header_rules', 'from_domain', 'options_ping_s', 'media', 'enabled',
  ],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique trunk name.' },
    kind: {
      type: 'string',
      enum: [...TRUNK_KINDS],
      default: 'generic',
      description: 'vonage: credentials, E.164 numbers and endpoint sets as Vonage requires; generic: a plain SIP trunk.',
    },
    side: { type: 'string', pattern: NAME_PATTERN, default: 'wan', description: 'Side the trunk is reached through.' },
    transport: {
      type: 'string',
      enum: [...TRANSPORTS],
      default: 'tls',
      description: 'Transport towards the endpoints (TLS for new trunks, V-OUT-9).',
    },
    region: {
      type: 'string',
      enum: [...VONAGE_REGIONS],
      default: '',
      description: 'Vonage region (us = AMER, eu = EMEA, ap = APAC): its endpoints first, its SRV domain.',
    },
    endpoint_set: {
      type: 'string',
      maxLength: 64,
      default: '',
      description: 'Name of a shipped endpoint set (data/vonage/endpoints/); "" = the manual endpoints.',
    },
    endpoints: {
      type: 'array',
      minItems: 0,
      maxItems: 16,
      default: [],
      description: 'Ordered manual endpoints; the first is the primary. Empty when endpoint_set is used.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['host', 'port'],
        properties: {
          host: { type: 'string', minLength: 1, maxLength: 253, description: 'IP literal or DNS name.' },
          port: peerPort(5060, 'Destination port (5061 by default with transport tls).'),
        },
      },
    },
    srv: {
      type: 'boolean',
      default: false,
      description: 'Resolve with RFC 3263 (NAPTR/SRV/A) instead of using the endpoints as addresses (V-OUT-3).',
    },
    sip_domain: {
      type: 'string',
      maxLength: 63,
      default: '',
      description: 'A sip_domains[] name: calls go to sip:NUMBER@NAME.sip-REGION.nexmo.com (V-PS-1).',
    },
    api_key: {
      type: 'string',
      maxLength: 128,
      pattern: '^[^"\\\\\\s]*$',
      default: '',
      description: 'Vonage API key: the digest username (V-OUT-2); "" = no digest.',
    },
    api_secret: {
      type: 'string',
      maxLength: 256,
      pattern: '^[^\\r\\n]*$',
      default: '',
      ...SECRET,
      description: 'Vonage API secret: the digest password (V-OUT-2). Secret: exported as ********.',
    },
    country: {
      type: 'string',
      pattern: '^([A-Z]{2})?$',
      default: '',
      description: 'ISO 3166-1 alpha-2 country of national numbers from the PBX (V-OUT-4); "" = none.',
    },
    caller_id: {
      type: 'object',
      additionalProperties: false,
      default: FILL_IN,
      required: ['mode', 'number'],
      description: 'Caller ID (From user) sent to the trunk (V-OUT-5).',
      properties: {
        mode: {
          type: 'string',
          enum: [...CALLER_ID_MODES],
          default: 'pass',
          description: 'pass = the PBX’s From user; fixed = number; pai = the PBX’s P-Asserted-Identity user (From when absent).',
        },
        number: {
          type: 'string',
          maxLength: 32,
          pattern: '^[+0-9]*$',
          default: '',
          description: 'The number for mode fixed.',
        },
      },
    },
    register: {
      type: 'object',
      additionalProperties: false,
      default: FILL_IN,
      required: ['enabled', 'interval_s'],
      description: 'Optional REGISTER of the SBC at the trunk with the trunk’s credentials.',
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Register at the trunk.' },
        interval_s: {
          type: 'integer',
          minimum: 60,
          maximum: 86400,
          default: 3600,
          description: 'Expires asked for, in seconds; re-registered before it runs out.',
        },
      },
    },
    session_timer: {
      type: 'object',
      additionalProperties: false,
      default: FILL_IN,
      required: ['mode', 'expires_s', 'min_se_s'],
      description: 'RFC 4028 session timers on the leg toward this trunk (V-OUT-11), over sip.session_timer.',
      properties: {
        mode: {
          type: 'string',
          enum: ['inherit', 'on', 'off'],
          default: 'inherit',
          description: 'inherit: sip.session_timer.enabled; on / off: for this trunk’s legs whatever the global setting.',
        },
        expires_s: {
          type: 'integer',
          minimum: 0,
          maximum: 86400,
          default: 0,
          description: 'Session-Expires asked for on this trunk’s legs (90..86400); 0 = sip.session_timer.expires_s.',
        },
        min_se_s: {
          type: 'integer',
          minimum: 0,
          maximum: 86400,
          default: 0,
          description: 'Smallest interval accepted from this trunk (90..86400); 0 = sip.session_timer.min_se_s.',
        },
      },
    },
    header_rules: headerRulesSchema,
    from_domain: {
      type: 'string',
      maxLength: 253,
      default: '',
      description: 'Host part of From on calls to this trunk; "" = endpoint host.',
    },
    options_ping_s: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 0,
      description: 'OPTIONS health-check interval in seconds; 0 = off (V-OUT-8).',
    },
    media: peerMediaSchema('same-ip'),
    enabled: { type: 'boolean', default: true, description: 'Disabled trunks take no calls.' },
  },
};
