import type { JSONSchemaType } from 'ajv';
import type { SystemConfig } from '../document.js';
import { FILL_IN } from './common.js';

export const systemSchema: JSONSchemaType<SystemConfig> = {
  type: 'object',
  description: 'Identity and logging of the box.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['name', 'log_level'],
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$',
      default: 'edgesbc',
      description: 'Hostname-like label of this box (logs, UI title).',
    },
    log_level: {
      type: 'string',
      enum: ['trace', 'debug', 'info', 'warn', 'error'],
      default: 'info',
      description: 'Minimum level written to the log.',
    },
  },
};
