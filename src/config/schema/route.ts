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
      required: ['ruri_user', 'from_trunk'],
      properties: {
        ruri_user: {
          type: 'string',
          maxLength: 256,
          default: '',
          description: 'JavaScript regex tested against the Request-URI user (the DID on inbound calls); "" = any.',
        },
        from_trunk: {
          type: 'string',
          pattern: '^([a-z0-9_-]{1,32})?$',
          default: '',
          description: 'Only calls that came from this trunk’s signalling sources; "" = any.',
        },
      },
    },
    to: {
      type: 'object',
      description: 'Where matching calls go: exactly one of trunk / pbx / pbxs.',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      required: [],
      properties: {
        trunk: targetName('Trunk name.'),
        pbx: targetName('PBX name.'),
        pbxs: {
          type: 'array',
          minItems: 1,
          maxItems: 16,
          description: 'Ordered PBX targets: the next is tried on 5xx or no response within timeout_ms (V-IN-2/3).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['pbx', 'timeout_ms'],
            properties: {
              pbx: { type: 'string', pattern: NAME_PATTERN, description: 'PBX name.' },
              timeout_ms: {
                type: 'integer',
                minimum: 2000,
                maximum: 20000,
                default: 5000,
                description: 'How long to wait for a response before the next target (V-IN-3).',
              },
            },
          },
        } as unknown as { type: 'array'; nullable: true; items: never },
      },
    },
    priority: { type: 'integer', minimum: 0, maximum: 65535, default: 100, description: 'Lower is tried first; ties keep document order.' },
    enabled: { type: 'boolean', default: true, description: 'Disabled routes are skipped.' },
  },
};
