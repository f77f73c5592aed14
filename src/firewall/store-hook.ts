// Keeps the kernel in step with the config store: every new running config
// (commit, rollback, and the automatic rollback when a `commit confirmed`
// is not confirmed in time) is applied. A failed apply leaves the previous
// table in the kernel (one transaction) and is logged; the commit stands.
import type { ConfigStore } from '../config/store.js';
import type { Logger } from '../log.js';
import type { Firewall } from './firewall.js';

export function attachToStore(store: ConfigStore, firewall: Firewall, log: Logger): () => void {
  return store.onRunningChange((doc, commit) => {
    const why = commit.kind === 'confirm-timeout' ? `commit ${commit.id}: confirm timeout, restored commit ${commit.rollbackOf ?? '?'}` : `commit ${commit.id} (${commit.kind})`;
    firewall.apply(doc, why).catch((err: unknown) => log.error({ err, commit: commit.id }, 'firewall apply failed: the previous table stays'));
  });
}
