// Read access to a message's header list, in wire order, with names matched
// case-insensitively and compact forms (RFC 3261 §7.3.3, RFC 3265, 3515,
// 4028, 3841) treated as their long names. Stores the flat
// [name, value, name, value, …] list the addon delivers, so wrapping a
// message costs no per-header allocation.

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
  a: 'accept-contact',
};

/** Lower-cased long form of a header name ("i" → "call-id", "Call-ID" → "call-id"). */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
}

export type HeaderPairs = ReadonlyArray<readonly [string, string]>;
/** A mutable list of [name, value] pairs (what list() returns and callers build). */
export type HeaderList = Array<[string, string]>;

export class Headers implements Iterable<[string, string]> {
  readonly #flat: readonly string[];

  /** From a flat [name, value, …] list (what the addon delivers); not copied. */
  static fromFlat(flat: readonly string[]): Headers {
    return new Headers(flat);
  }

  static fromPairs(pairs: HeaderPairs): Headers {
    const flat: string[] = [];
    for (const [n, v] of pairs) flat.push(n, v);
    return new Headers(flat);
  }

  private constructor(flat: readonly string[]) {
    this.#flat = flat;
  }

  /** Number of header lines. */
  get size(): number {
    return this.#flat.length >> 1;
  }

  /** First value of that header (any case, long or compact form), or undefined. */
  get(name: string): string | undefined {
    const want = canonicalName(name);
    const flat = this.#flat;
    for (let i = 0; i < flat.length; i += 2) {
      if (canonicalName(flat[i]!) === want) return flat[i + 1];
    }
    return undefined;
  }

  /** Every value of that header, one per header line, in order (comma lists are not split). */
  getAll(name: string): string[] {
    const want = canonicalName(name);
    const flat = this.#flat;
    const out: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (canonicalName(flat[i]!) === want) out.push(flat[i + 1]!);
    }
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** [name, value] pairs as on the wire (names as written). A fresh array. */
  list(): HeaderList {
    const flat = this.#flat;
    const out: HeaderList = [];
    for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
    return out;
  }

  /** Same as list(). */
  raw(): HeaderList {
    return this.list();
  }

  /** The flat list itself (read-only view). */
  flat(): readonly string[] {
    return this.#flat;
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    const flat = this.#flat;
    for (let i = 0; i < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!];
  }
}
