// The config document's schema (fetched once: it drives every editor), the
// candidate's pending changes (shown by the pending-changes bar on every
// page) and a commit waiting for confirmation.
import { signal } from '@preact/signals';
import { api } from '../api/client.js';
import type { JsonObject, JsonSchema } from '../schema/json-schema.js';
import { isMapSchema, isObject } from '../schema/json-schema.js';

export interface Change {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

export interface CommitInfo {
  id: number;
  at: string;
  user: string;
  comment: string;
  kind: string;
  rollbackOf?: number;
  confirmBy?: string;
  confirmState?: string;
}

export const schema = signal<JsonSchema | undefined>(undefined);
export const changes = signal<Change[]>([]);
export const pendingConfirm = signal<CommitInfo | undefined>(undefined);
/** The commit whose config is running. */
export const runningCommit = signal<CommitInfo | undefined>(undefined);
export const candidate = signal<JsonObject | undefined>(undefined);

export async function loadSchema(): Promise<JsonSchema> {
  if (!schema.value) schema.value = await api.get<JsonSchema>('/schema');
  return schema.value;
}

/** The API may answer with a bare list or wrap it ({ changes: [...] }, { commits: [...] }). */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (isObject(body) && Array.isArray(body[key])) return body[key] as unknown as T[];
  if (isObject(body) && Array.isArray(body.items)) return body.items as unknown as T[];
  return [];
}

export async function refreshPending(): Promise<void> {
  const [diff, status, cand] = await Promise.all([
    api.get<unknown>('/config/diff'),
    api.get<{ pendingConfirm?: CommitInfo | null; running?: CommitInfo }>('/config/status').catch(() => undefined),
    api.get<JsonObject>('/config/candidate').catch(() => undefined),
  ]);
  changes.value = listOf<Change>(diff, 'changes');
  pendingConfirm.value = status?.pendingConfirm ?? undefined;
  runningCommit.value = status?.running;
  if (cand) candidate.value = cand;
}

/** The commit that was running before `id` (what "roll back" restores). */
export async function commitBefore(id: number): Promise<CommitInfo | undefined> {
  const history = listOf<CommitInfo>(await api.get<unknown>('/config/history?limit=50'), 'commits');
  return history.filter((c) => c.id < id).sort((a, b) => b.id - a.id)[0];
}

/** Arrays of named objects in the document (trunks, pbxs, routes, sip_domains, …). */
export function collectionsOf(s: JsonSchema): string[] {
  return Object.entries(s.properties ?? {})
    .filter(([, p]) => p.type === 'array' && p.items?.type === 'object' && !!p.items.properties?.name)
    .map(([k]) => k);
}

/** Objects with fixed fields (system, sip, tls, media, firewall). */
export function sectionsOf(s: JsonSchema): string[] {
  return Object.entries(s.properties ?? {})
    .filter(([, p]) => p.type === 'object' && !isMapSchema(p))
    .map(([k]) => k);
}

/** Names another field may refer to: sides, trunks, PBXs and SIP domains of the candidate. */
export function suggestionsFor(doc: JsonObject | undefined): (key: string) => string[] | undefined {
  const names = (k: string): string[] => {
    const v = doc?.[k];
    if (Array.isArray(v)) return v.flatMap((x) => (isObject(x) && typeof x.name === 'string' ? [x.name] : []));
    if (isObject(v)) return Object.keys(v);
    return [];
  };
  return (key) => {
    switch (key) {
      case 'side':
      case 'from_side':
      case 'wan_sides':
        return names('sides');
      case 'trunk':
      case 'from_trunk':
        return names('trunks');
      case 'pbx':
        return names('pbxs');
      case 'sip_domain':
        return names('sip_domains');
      default:
        return undefined;
    }
  };
}
