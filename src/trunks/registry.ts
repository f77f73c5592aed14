// The trunks of the running config as call control uses them, kept across
// config commits: a trunk whose credentials did not change keeps its digest
// state (the remembered nonce and its count), so a commit does not cost
// every trunk a challenge round.
import type { ConfigDocument, TrunkConfig } from '../config/document.js';
import { DigestClient } from './digest-session.js';

export interface TrunkRuntime {
  readonly name: string;
  readonly config: TrunkConfig;
  /** Answers 401/407 on requests to the trunk; undefined without api_key. */
  readonly digest: DigestClient | undefined;
}

export class TrunkRegistry {
  #byName = new Map<string, TrunkRuntime>();

  constructor(doc?: ConfigDocument) {
    if (doc) this.apply(doc);
  }

  apply(doc: ConfigDocument): void {
    const next = new Map<string, TrunkRuntime>();
    for (const t of doc.trunks) {
      const before = this.#byName.get(t.name);
      const same = before && before.config.api_key === t.api_key && before.config.api_secret === t.api_secret;
      const digest = t.api_key === '' ? undefined : same ? before.digest : new DigestClient({ username: t.api_key, password: t.api_secret });
      next.set(t.name, { name: t.name, config: t, digest });
    }
    this.#byName = next;
  }

  get(name: string): TrunkRuntime | undefined {
    return this.#byName.get(name);
  }
}
