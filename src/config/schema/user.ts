import type { JSONSchemaType } from 'ajv';
import type { UserInput } from '../document.js';
import { NAME_PATTERN, SECRET } from './common.js';

// Admin accounts: validated with this schema by the API/CLI, stored by
// ConfigStore.addUser (scrypt hash), never part of the config document.
export const userSchema: JSONSchemaType<UserInput> = {
  type: 'object',
  description: 'An administrator account.',
  additionalProperties: false,
  required: ['name', 'password', 'role'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Login name.' },
    password: { type: 'string', minLength: 8, maxLength: 1024, ...SECRET, description: 'Password (stored as an scrypt hash).' },
    role: {
      type: 'string',
      enum: ['admin', 'operator', 'viewer'],
      default: 'viewer',
      description: 'admin: everything; operator: edit and commit config; viewer: read only.',
    },
  },
};
