import type { JSONSchemaType } from 'ajv';
import type { TrunkConfig } from '../document.js';
import { NAME_PATTERN, TRANSPORTS, peerPort } from './common.js';
import { peerMediaSchema } from './media.js';

export const trunkSchema: JSONSchemaType<TrunkConfig> = {
  type: 'object',
  description: 'A SIP trunk (Vonage) reached from one side.',
  additionalProperties: false,
  required: ['name', 'side', 'transport', 'endpoints', 'from_domain', 'options_ping_s', 'media', 'enabled'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique trunk name.' },
    side: { type: 'string', pattern: NAME_PATTERN, default: 'wan', description: 'Side the trunk is reached through.' },
    transport: { type: 'string', enum: [...TRANSPORTS], default: 'udp', description: 'Transport towards the endpoints.' },
    endpoints: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      description: 'Ordered endpoints; the first is the primary.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['host', 'port'],
        properties: {
          host: { type: 'string', minLength: 1, maxLength: 253, description: 'IP literal or DNS name.' },
          port: peerPort(5060, 'Destination port.'),
        },
      },
    },
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
