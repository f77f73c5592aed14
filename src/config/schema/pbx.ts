import type { JSONSchemaType } from 'ajv';
import type { PbxConfig } from '../document.js';
import { FILL_IN, NAME_PATTERN, SECRET, TRANSPORTS, peerPort } from './common.js';
import { headerRulesSchema } from './header-rules.js';
import { peerMediaSchema } from './media.js';

export const pbxSchema: JSONSchemaType<PbxConfig> = {
  type: 'object',
  description: 'A PBX reached from one side (normally lan).',
  additionalProperties: false,
  required: ['name', 'side', 'host', 'port', 'transport', 'registration', 'allowed_numbers', 'header_rules', 'media', 'enabled'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique PBX name.' },
    side: { type: 'string', pattern: NAME_PATTERN, default: 'lan', description: 'Side the PBX is reached through.' },
    host: {
      type: 'string',
      maxLength: 253,
      default: '',
      description: 'IP literal or DNS name; "" only with registration mode register.',
    },
    port: peerPort(5060, 'Destination port.'),
    transport: { type: 'string', enum: [...TRANSPORTS], default: 'udp', description: 'Transport towards the PBX.' },
    registration: {
      type: 'object',
      additionalProperties: false,
      default: FILL_IN,
      required: ['mode', 'username', 'password'],
      description: 'static = the PBX is at host:port; register = the PBX registers to the SBC.',
      properties: {
        mode: { type: 'string', enum: ['static', 'register'], default: 'static', description: 'static or register.' },
        username: {
          type: 'string',
          maxLength: 64,
          pattern: '^[^"\\\\\\s]*$',
          default: '',
          description: 'Digest username the PBX registers with (mode register).',
        },
        password: {
          type: 'string',
          maxLength: 256,
          pattern: '^[^\\r\\n]*$',
          default: '',
          ...SECRET,
          description: 'Digest password the PBX registers with. Secret: exported as ********.',
        },
      },
    },
    allowed_numbers: {
      type: 'array',
      maxItems: 1024,
      uniqueItems: true,
      default: [],
      items: { type: 'string', pattern: '^[0-9]{1,15}\\*?$' },
      description: 'Caller IDs (E.164 without +, a trailing * = prefix) this PBX may send to trunks; [] = any.',
    },
    header_rules: headerRulesSchema,
    media: peerMediaSchema('until-signalled'),
    enabled: { type: 'boolean', default: true, description: 'Disabled PBXs take no calls.' },
  },
};
