import type { JSONSchemaType } from 'ajv';
import type { TlsConfig } from '../document.js';
import { FILL_IN } from './common.js';

export const tlsSchema: JSONSchemaType<TlsConfig> = {
  type: 'object',
  description: 'TLS for SIP listeners and trunks.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['min_version', 'cert_file', 'key_file'],
  properties: {
    min_version: {
      type: 'string',
      enum: ['1.0', '1.1', '1.2', '1.3'],
      default: '1.2',
      description: 'Lowest TLS version accepted or offered (V-OUT-9).',
    },
    cert_file: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'PEM certificate chain; "" = self-signed certificate generated in the data dir on first start.',
    },
    key_file: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'PEM private key for cert_file; set both or neither.',
    },
  },
};
