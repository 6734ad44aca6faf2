/**
 * User-facing errors. The CLI prints `message` on one line and exits non-zero,
 * without a stack trace; anything that is not an AffectlabError is a bug and
 * keeps its stack.
 */
export class AffectlabError extends Error {
  /** Process exit code used by the CLI. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A problem with a config file, an override or a composed config. */
export class ConfigError extends AffectlabError {}

/** A problem with input data: a file, a record, a field. */
export class DataError extends AffectlabError {}

/** Something the user asked for is not installed or not available here. */
export class UnavailableError extends AffectlabError {}

/** A run or sweep folder is in a state that forbids the operation. */
export class RunStateError extends AffectlabError {}

/** Formats a value for an error message: short, single-line. */
export function show(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (value === undefined) s = 'undefined';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
