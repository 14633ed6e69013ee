/**
 * Running system commands (ip, nginx, taskset) for the lab and the harness. Synchronous: these are
 * short configuration commands. A failure throws CommandError with the command and its stderr.
 */
import { spawnSync } from 'node:child_process';
import { shellLine } from './shell.ts';

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(
      `\`${shellLine(argv)}\` failed${status === null ? '' : ` (exit ${status})`}: ${stderr.trim() || 'no message'}`,
    );
    this.name = 'CommandError';
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv; never throws for a non-zero exit (callers decide). Throws only if it cannot start. */
export function tryRun(
  argv: readonly string[],
  opts: { timeoutMs?: number; input?: string } = {},
): RunResult {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 20_000,
    input: opts.input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 127, stdout: '', stderr: `${argv[0]}: command not found` };
    return { status: null, stdout: r.stdout ?? '', stderr: r.error.message };
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs argv and returns stdout; throws CommandError on a non-zero exit. */
export function run(argv: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): string {
  const r = tryRun(argv, opts);
  if (r.status !== 0) throw new CommandError(argv, r.status, r.stderr);
  return r.stdout;
}

/** True when `name` is an executable on PATH. */
export function haveCommand(name: string): boolean {
  return tryRun(['sh', '-c', `command -v ${name}`]).status === 0;
}
