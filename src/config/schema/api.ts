import type { JSONSchemaType } from 'ajv';
import type { ApiConfig, CdrConfig } from '../document.js';
import { FILL_IN, NAME_PATTERN } from './common.js';

// The HTTPS admin API (docs/api.md). It listens on the addresses of `sides`
// (the LAN by default) plus `addresses`, never anywhere else; listener
// changes take effect at the next start.
export const apiSchema: JSONSchemaType<ApiConfig> = {
  type: 'object',
  description: 'HTTPS admin API and web UI.',
  additionalProperties: false,
  default: FILL_IN,
  required: [
    'enabled', 'port', 'sides', 'addresses', 'allowed_networks', 'cert_file', 'key_file', 'session_idle_min',
    'login_max_failures', 'lockout_s', 'login_rate_per_min',
  ],
  properties: {
    enabled: { type: 'boolean', default: true, description: 'Serve the admin API and web UI.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 8443, description: 'HTTPS port.' },
    sides: {
      type: 'array',
      maxItems: 8,
      uniqueItems: true,
      default: ['lan'],
      items: { type: 'string', pattern: NAME_PATTERN },
      description: 'Listen on every address of these sides (the LAN side by default).',
    },
    addresses: {
      type: 'array',
      maxItems: 16,
      uniqueItems: true,
      default: [],
      items: { type: 'string', maxLength: 64 },
      description: 'More IP literals to listen on (a management address).',
    },
    allowed_networks: {
      type: 'array',
      maxItems: 64,
      default: [],
      items: { type: 'string', maxLength: 64 },
      description: 'Admin networks: only these sources are served (addresses / CIDR blocks); [] = any source that reaches a listen address.',
    },
    cert_file: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'PEM certificate chain for HTTPS; "" = the SIP TLS certificate (tls.cert_file or the self-signed one).',
    },
    key_file: { type: 'string', maxLength: 4096, default: '', description: 'PEM private key of cert_file; set both or neither.' },
    session_idle_min: {
      type: 'integer',
      minimum: 1,
      maximum: 1440,
      default: 30,
      description: 'A session unused for this long is logged out.',
    },
    login_max_failures: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 5,
      description: 'Failed logins in a row that lock an account.',
    },
    lockout_s: { type: 'integer', minimum: 1, maximum: 86400, default: 300, description: 'How long a locked account stays locked.' },
    login_rate_per_min: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 10,
      description: 'Login attempts accepted per source address per minute.',
    },
  },
};

export const cdrSchema: JSONSchemaType<CdrConfig> = {
  type: 'object',
  description: 'Call detail records (one per call, in cdr.db).',
  additionalProperties: false,
  default: FILL_IN,
  required: ['enabled', 'retention_days'],
  properties: {
    enabled: { type: 'boolean', default: true, description: 'Write a record for every call.' },
    retention_days: {
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      default: 90,
      description: 'Records older than this are deleted.',
    },
  },
};
