// Errors the config store throws. Stable codes so the API and CLI can map them.

export interface ConfigProblem {
  // JSON Pointer into the document, e.g. "/trunks/0/endpoints/1/port"; "" = the document itself.
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  // Every problem found, not just the first.
  readonly errors: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const first = problems[0];
    const summary = first ? `${first.path || '/'}: ${first.message}` : 'invalid document';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(`invalid config: ${summary}${more}`);
    this.name = 'ConfigError';
    this.errors = problems;
  }
}

// Operations that are valid in form but not in the current state
// (unknown commit id, nothing to confirm, store closed, …).
export type ConfigStateCode =
  | 'ERR_CONFIG_NO_SUCH_COMMIT'
  | 'ERR_CONFIG_NOTHING_TO_CONFIRM'
  | 'ERR_CONFIG_CLOSED'
  | 'ERR_CONFIG_BAD_ARGUMENT'
  | 'ERR_CONFIG_USER_EXISTS'
  | 'ERR_CONFIG_NO_SUCH_USER'
  | 'ERR_CONFIG_DB_TOO_NEW';

export class ConfigStateError extends Error {
  readonly code: ConfigStateCode;

  constructor(code: ConfigStateCode, message: string) {
    super(message);
    this.name = 'ConfigStateError';
    this.code = code;
  }
}
