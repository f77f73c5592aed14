import type { JSONSchemaType } from 'ajv';
import type { RouteConfig } from '../document.js';
import { FILL_IN, NAME_PATTERN } from './common.js';

// JSONSchemaType wants `nullable: true` on optional properties, but null is
// not a valid target: the schema says plain string, the cast quiets the type.
function targetName(description: string) {
  return { type: 'string', pattern: NAME_PATTERN, description } as unknown as { type: 'string'; nullable: true };
}

export const routeSchema: JSONSchemaType<RouteConfig> = {
  type: 'object',
  description: 'A routing rule; rules are tried by priority (lower first), first match wins.',
  additionalProperties: false,
  required: ['name', 'from_side', 'match', 'to', 'priority', 'enabled'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique route name.' },
    from_side: { type: 'string', pattern: NAME_PATTERN, description: 'Calls arriving on this side.' },
    match: {
      type: 'object',
      additionalProperties: false,
      default: FILL_IN,
      required: ['ruri_user'],
      properties: {
        ruri_user: {
          type: 'string',
          maxLength: 256,
          default: '',
          description: 'JavaScript regex tested against the Request-URI user; "" = any.',
        },
      },
    },
    to: {
      type: 'object',
      description: 'Where matching calls go: exactly one of trunk / pbx.',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      required: [],
      properties: {
        trunk: targetName('Trunk name.'),
        pbx: targetName('PBX name.'),
      },
    },
    priority: { type: 'integer', minimum: 0, maximum: 65535, default: 100, description: 'Lower is tried first; ties keep document order.' },
    enabled: { type: 'boolean', default: true, description: 'Disabled routes are skipped.' },
  },
};
