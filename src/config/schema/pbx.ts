import type { JSONSchemaType } from 'ajv';
import type { PbxConfig } from '../document.js';
import { NAME_PATTERN, TRANSPORTS, peerPort } from './common.js';
import { peerMediaSchema } from './media.js';

export const pbxSchema: JSONSchemaType<PbxConfig> = {
  type: 'object',
  description: 'A PBX reached from one side (normally lan).',
  additionalProperties: false,
  required: ['name', 'side', 'host', 'port', 'transport', 'media', 'enabled'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique PBX name.' },
    side: { type: 'string', pattern: NAME_PATTERN, default: 'lan', description: 'Side the PBX is reached through.' },
    host: { type: 'string', minLength: 1, maxLength: 253, description: 'IP literal or DNS name.' },
    port: peerPort(5060, 'Destination port.'),
    transport: { type: 'string', enum: [...TRANSPORTS], default: 'udp', description: 'Transport towards the PBX.' },
    media: peerMediaSchema('until-signalled'),
    enabled: { type: 'boolean', default: true, description: 'Disabled PBXs take no calls.' },
  },
};
