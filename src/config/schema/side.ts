import type { JSONSchemaType } from 'ajv';
import type { SideConfig } from '../document.js';
import { listenPort } from './common.js';
import { sideMediaSchema } from './media.js';

export const sideSchema: JSONSchemaType<SideConfig> = {
  type: 'object',
  description: 'One network side (e.g. lan, wan): where SIP listens.',
  additionalProperties: false,
  required: ['addresses', 'advertised_address', 'udp', 'tcp', 'tls', 'media'],
  properties: {
    addresses: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      uniqueItems: true,
      items: { type: 'string', maxLength: 64 },
      description: 'IPv4/IPv6 literals to listen on.',
    },
    interface: {
      type: 'string',
      nullable: true,
      maxLength: 15,
      pattern: '^[A-Za-z0-9_.:@-]*$',
      description:
        'Interface (e.g. "eth1") whose first global IPv4 address SIP and media use instead of `addresses`, followed when it changes; "" = `addresses`.',
    },
    advertised_address: {
      type: 'string',
      maxLength: 64,
      default: '',
      description: 'Public/NAT IP literal written in Via/Contact; "" = the listening address.',
    },
    udp: listenPort(5060, 'UDP port; 0 = UDP off.'),
    tcp: listenPort(5060, 'TCP port; 0 = TCP off.'),
    tls: listenPort(5061, 'TLS port; 0 = TLS off.'),
    media: sideMediaSchema,
  },
};
