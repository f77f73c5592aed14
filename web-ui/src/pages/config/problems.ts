// The server reports problems with paths in the whole document
// (/trunks/0/name) or in the object sent (/name); an editor shows one object,
// so paths are made relative to it. What cannot be placed stays general.
import type { Problem } from '../../schema/validate.js';
import type { JsonSchema } from '../../schema/json-schema.js';

export function relativeTo(problems: Array<Problem & { field?: string }>, prefix: string[], objectSchema: JsonSchema): { placed: Problem[]; general: Problem[] } {
  const placed: Problem[] = [];
  const general: Problem[] = [];
  for (const pr of problems) {
    // The API names the place in the object sent too (config object routes).
    if (typeof pr.field === 'string') {
      (pr.field ? placed : general).push({ path: pr.field, message: pr.message });
      continue;
    }
    const segs = pr.path.split('/').slice(1);
    let rel: string[] | undefined;
    if (prefix.length && segs.length >= prefix.length && prefix.every((p, i) => p === '*' || p === segs[i])) {
      rel = segs.slice(prefix.length);
    } else if (segs.length && objectSchema.properties?.[segs[0]!]) {
      rel = segs;
    }
    if (rel && rel.length) placed.push({ path: `/${rel.join('/')}`, message: pr.message });
    else general.push(pr);
  }
  return { placed, general };
}
