// The part of JSON Schema that EdgeSBC's config schemas use
// (src/config/schema/*.ts, served at GET /api/v1/schema). The editors are
// generated from these keywords; anything else is carried along unread.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonSchema {
  $id?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  description?: string;
  title?: string;
  default?: JsonValue;
  const?: JsonValue;
  enum?: JsonValue[];
  // strings
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  format?: string;
  writeOnly?: boolean;
  readOnly?: boolean;
  // numbers
  minimum?: number;
  maximum?: number;
  // arrays
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  // objects
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  minProperties?: number;
  maxProperties?: number;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A map (name → object) rather than a record with fixed fields: `sides`, `firewall.address_lists`. */
export function isMapSchema(s: JsonSchema): boolean {
  return s.type === 'object' && typeof s.additionalProperties === 'object' && !s.properties;
}

/**
 * "Exactly one of these properties" (routes[].to: trunk | pbx | pbxs): an
 * object whose properties are all optional and of which at most one may be set.
 */
export function isChoiceSchema(s: JsonSchema): boolean {
  return s.type === 'object' && !!s.properties && s.maxProperties === 1 && (s.required?.length ?? 0) === 0;
}

/** A field the user must fill: required and without a default to fall back on. */
export function needsValue(parent: JsonSchema, key: string): boolean {
  const child = parent.properties?.[key];
  return !!parent.required?.includes(key) && child?.default === undefined && child?.const === undefined;
}

/** Human label from a field name: `options_ping_s` → "Options ping (s)". */
export function labelOf(key: string): string {
  const units: Record<string, string> = { s: 's', ms: 'ms', per_s: 'per s' };
  let base = key;
  let unit = '';
  for (const [suffix, u] of Object.entries(units).sort((a, b) => b[0].length - a[0].length)) {
    if (key.endsWith(`_${suffix}`)) {
      base = key.slice(0, -suffix.length - 1);
      unit = u;
      break;
    }
  }
  const words = base.replace(/_/g, ' ').replace(/\bsip\b/gi, 'SIP').replace(/\bpbxs?\b/gi, (m) => m.toUpperCase())
    .replace(/\b(tls|udp|tcp|ip|uri|api|srtp|rtp|dns|icmp|wan|lan|acl|id|t1|t2|t4|srv|ruri|se|cpu|cdr)\b/gi, (m) => m.toUpperCase())
    .replace(/\bPBXS\b/, 'PBXs');
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return unit ? `${text} (${unit})` : text;
}
