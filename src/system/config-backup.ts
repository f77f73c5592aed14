// Config backup and restore: the whole running config as one YAML document
// (secrets in clear, so a restore is complete: keep backups safe), and a
// restore that validates and commits it like any import.
import type { Actor, CommitInfo, ConfigStore } from '../config/store.js';

export function backupConfig(store: ConfigStore): string {
  return store.exportText('yaml', 'running', { secrets: true });
}

// Throws ConfigError (every path and reason) when the document is not valid;
// the running config is untouched then.
export function restoreConfig(store: ConfigStore, yamlText: string, actor: Actor = {}): CommitInfo {
  store.importText(yamlText, 'yaml', actor);
  return store.commit({ ...actor, comment: 'restore from backup' });
}
