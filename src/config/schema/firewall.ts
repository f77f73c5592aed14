import type { JSONSchemaType } from 'ajv';
import type { FirewallConfig } from '../document.js';
import { FILL_IN } from './common.js';

// Issue 7 fills this in (profiles, rules, address lists such as Vonage's
// published signalling ranges); the tables already exist (migration 001).
export const firewallSchema: JSONSchemaType<FirewallConfig> = {
  type: 'object',
  description: 'Packet filter generated from the config.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['enabled'],
  properties: {
    enabled: { type: 'boolean', default: false, description: 'Generate and apply nftables rules.' },
  },
};
