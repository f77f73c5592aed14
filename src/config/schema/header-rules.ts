import type { JSONSchemaType } from 'ajv';
import type { HeaderRule } from '../document.js';

export const HEADER_RULE_ACTIONS = ['add', 'remove', 'rewrite'] as const;

// Header rules on what the SBC sends to one peer (requests and responses of
// a call), applied in order (add, remove, rewrite by regex). The schema is
// the contract; the rules are checked further in trunk-semantic.ts (regexes
// compile, add has a value, no engine-owned header: src/calls/header-rules.ts).
export const headerRulesSchema: JSONSchemaType<HeaderRule[]> = {
  type: 'array',
  maxItems: 64,
  default: [],
  description: 'Header rules on what is sent to this peer (requests and responses of a call), applied in order.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['action', 'name', 'value', 'pattern'],
    properties: {
      action: {
        type: 'string',
        enum: [...HEADER_RULE_ACTIONS],
        description: 'add a header, remove headers, or rewrite a header value by regex.',
      },
      name: {
        type: 'string',
        // A header token; remove may end with * (a prefix such as X-Nexmo*).
        pattern: "^[A-Za-z0-9!%'`~._+-]{1,64}\\*?$",
        description: 'Header name (case-insensitive); remove accepts a trailing * for a prefix.',
      },
      value: {
        type: 'string',
        maxLength: 1024,
        pattern: '^[^\\r\\n]*$',
        default: '',
        description: 'add: the header value; rewrite: the replacement ($1 … from pattern).',
      },
      pattern: {
        type: 'string',
        maxLength: 256,
        default: '',
        description: 'rewrite: JavaScript regex matched against the value.',
      },
    },
  },
};
