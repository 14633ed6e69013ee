/**
 * The three kinds of failure a command can end with, and their exit codes (documented in README):
 *   0 ok; 1 internal error (a bug: report it); 2 usage (unknown command or flag, a flag value that does
 *   not parse); 3 invalid input (a well-formed request the model cannot accept: unknown option, negative
 *   rate, CPU mask naming CPUs the host lacks, unstable load where a stable one is required).
 * Errors that carry a field name and value print as one line: `cnisim: <field>: <message> (got <value>)`.
 */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
export const EXIT_INVALID_INPUT = 3;

/** Bad command-line usage: exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A request the model cannot accept; names the field (a dotted path) and the offending value: exit 3. */
export class InputError extends Error {
  readonly exitCode = EXIT_INVALID_INPUT;
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field}: ${reason} (got ${formatValue(value)})`);
    this.name = 'InputError';
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Exit code for any thrown value: typed errors carry theirs, everything else is internal. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof InputError) return err.exitCode;
  if (typeof err === 'object' && err !== null && 'exitCode' in err && typeof err.exitCode === 'number')
    return err.exitCode;
  return EXIT_INTERNAL;
}
