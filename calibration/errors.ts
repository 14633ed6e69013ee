/**
 * Bad calibration input: records that cannot be fitted or validated as given. Carries exit code 3
 * (invalid input, see cli/errors.ts) and names the records at fault, so the CLI prints one line
 * without a stack trace.
 */
export class CalibrationInputError extends Error {
  readonly exitCode = 3;
  constructor(
    /** What is wrong where: a record file, `--runs`, `--profile`. */
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}${value === undefined ? '' : ` (got ${formatShort(value)})`}`);
    this.name = 'CalibrationInputError';
  }
}

function formatShort(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
