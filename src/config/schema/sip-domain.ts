import type { JSONSchemaType } from 'ajv';
import type { SipDomainConfig } from '../document.js';
import { VONAGE_REGIONS } from './trunk.js';

// A DNS label: Vonage domain names become the first label of
// NAME.sip-REGION.nexmo.com.
export const SIP_DOMAIN_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

// Vonage Programmable SIP domain (V-PS-1..3), as provisioned at Vonage:
// {name, application_id, acl}. region has no usable default on purpose:
// semantic.ts refuses "" with the reason (V-PS-2).
export const sipDomainSchema: JSONSchemaType<SipDomainConfig> = {
  type: 'object',
  description: 'A Vonage Programmable SIP domain: sip:NUMBER@NAME.sip-REGION.nexmo.com.',
  additionalProperties: false,
  required: ['name', 'region', 'application_id', 'auth', 'acl'],
  properties: {
    name: { type: 'string', pattern: SIP_DOMAIN_NAME_PATTERN, description: 'Domain name at Vonage (one DNS label).' },
    region: {
      type: 'string',
      enum: [...VONAGE_REGIONS],
      default: '',
      description: 'us, eu or ap: required, a Request-URI without the region fails the call (V-PS-2).',
    },
    application_id: {
      type: 'string',
      pattern: '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$',
      default: '',
      description: 'The Vonage application (UUID) the domain is linked to; "" = not recorded.',
    },
    auth: {
      type: 'string',
      enum: ['digest', 'acl'],
      default: 'digest',
      description: 'How Vonage authenticates calls to the domain: digest (trunk key/secret) or IP ACL (V-PS-3).',
    },
    acl: {
      type: 'array',
      maxItems: 256,
      default: [],
      items: { type: 'string', maxLength: 64 },
      description: 'IP ACL: addresses and CIDR blocks allowed to call the domain (auth acl).',
    },
  },
};
