// The document schema, assembled from one schema per object type. This is the
// single source of truth for validation, the admin API, CLI completion and
// web forms.
import type { JSONSchemaType } from 'ajv';
import type { ConfigDocument } from '../document.js';
import { apiSchema, cdrSchema } from './api.js';
import { NAME_PATTERN } from './common.js';
import { firewallSchema } from './firewall.js';
import { mediaSchema } from './media.js';
import { pbxSchema } from './pbx.js';
import { routeSchema } from './route.js';
import { sideSchema } from './side.js';
import { sipSchema } from './sip.js';
import { sipDomainSchema } from './sip-domain.js';
import { systemSchema } from './system.js';
import { tlsSchema } from './tls.js';
import { trunkSchema } from './trunk.js';

export { apiSchema, cdrSchema, firewallSchema, mediaSchema, pbxSchema, routeSchema, sideSchema, sipDomainSchema, sipSchema, systemSchema, tlsSchema, trunkSchema };
export { userSchema } from './user.js';
export { SECRET_MASK } from './common.js';

export const documentSchema: JSONSchemaType<ConfigDocument> = {
  $id: 'https://edgesbc.invalid/schema/config-v1.json',
  type: 'object',
  description: 'EdgeSBC configuration document, version 1.',
  additionalProperties: false,
  required: ['version', 'system', 'sip', 'tls', 'media', 'sides', 'trunks', 'sip_domains', 'pbxs', 'routes', 'firewall', 'api', 'cdr'],
  properties: {
    version: { type: 'integer', const: 1, description: 'Document format version.' },
    system: systemSchema,
    sip: sipSchema,
    tls: tlsSchema,
    media: mediaSchema,
    sides: {
      type: 'object',
      description: 'Network sides by name (lan, wan, …).',
      minProperties: 1,
      maxProperties: 8,
      required: [],
      propertyNames: { type: 'string', pattern: NAME_PATTERN },
      additionalProperties: sideSchema,
    },
    trunks: { type: 'array', maxItems: 64, default: [], items: trunkSchema, description: 'SIP trunks.' },
    sip_domains: {
      type: 'array',
      maxItems: 64,
      default: [],
      items: sipDomainSchema,
      description: 'Vonage Programmable SIP domains (V-PS-1..3).',
    },
    pbxs: { type: 'array', maxItems: 64, default: [], items: pbxSchema, description: 'PBXs.' },
    routes: { type: 'array', maxItems: 1024, default: [], items: routeSchema, description: 'Routing rules.' },
    firewall: firewallSchema,
    api: apiSchema,
    cdr: cdrSchema,
  },
};
