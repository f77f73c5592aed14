// Pieces shared by the per-object schemas.

// Object names (trunks, PBXs, routes, sides): short, safe in CLI words,
// file names and nftables set names.
export const NAME_PATTERN = '^[a-z0-9_-]{1,32}$';

export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;

// 0 switches a listener off; otherwise a real port.
export function listenPort(def: number, description: string) {
  return { type: 'integer', minimum: 0, maximum: 65535, default: def, description } as const;
}

export function peerPort(def: number, description: string) {
  return { type: 'integer', minimum: 1, maximum: 65535, default: def, description } as const;
}

// Mark a field as secret: it is stored in the database but exported as
// SECRET_MASK unless the caller asks for secrets, and importing SECRET_MASK
// keeps the value already stored. JSON Schema's `writeOnly` annotation is the
// standard way to say "accepted on input, never shown on output".
export const SECRET = { writeOnly: true } as const;
export const SECRET_MASK = '********';

// `default: {}` on a section: an absent section starts empty and the defaults
// of its own fields fill it in. Typed `never` because JSONSchemaType wants a
// complete value there, which is exactly what the nested defaults produce.
export const FILL_IN = {} as never;
