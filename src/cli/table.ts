// Plain-text tables for `show`: a header row, columns padded to their
// widest cell, nothing wider than the data needs.
export function table(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => header.map((_, i) => (r[i] === null || r[i] === undefined ? '-' : String(r[i]))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

// "key: value" lines, keys aligned.
export function keyValues(pairs: Array<[string, string | number | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === null || v === undefined ? '-' : String(v)}`).join('\n');
}
