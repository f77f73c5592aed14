// What the CLI reports and the exit code each failure gives a script:
// 1 = the input was refused (a bad command, a value the schema or the store
// refused, a missing right), 2 = sbcd could not be reached.
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_UNREACHABLE = 2;

export interface Problem {
  path: string;
  message: string;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = EXIT_REFUSED,
    // Every refused field: a JSON Pointer into the config document and why.
    readonly problems: Problem[] = [],
    // The API's error code when the refusal came from sbcd.
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const refused = (message: string, problems: Problem[] = []): CliError => new CliError(message, EXIT_REFUSED, problems);
