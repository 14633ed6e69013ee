/**
 * Running system commands (ip, nginx, taskset) for the lab and the harness. Synchronous: these are
 * short configuration commands. A failure throws CommandError with the command and its stderr; a
 * command killed by Ctrl-C or SIGTERM throws InterruptedError (exit 130 / 143).
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

/**
 * A command killed by Ctrl-C (SIGINT, which a terminal sends to the whole process group, so the
 * child dies first) or SIGTERM: the user's interruption, not the command's failure. Exit 130 / 143,
 * as the signal handlers' (harness/lab/lab.ts onInterrupt).
 */
export class InterruptedError extends Error {
  readonly exitCode: number;
  constructor(
    readonly argv: readonly string[],
    readonly signal: 'SIGINT' | 'SIGTERM',
  ) {
    super(`interrupted (${signal}) while \`${shellLine(argv)}\` ran`);
    this.name = 'InterruptedError';
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The signal that killed the command (null when it exited, or when it timed out). */
  signal?: NodeJS.Signals | null;
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
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Runs argv and returns stdout; throws CommandError on a non-zero exit. */
export function run(argv: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): string {
  const r = tryRun(argv, opts);
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') throw new InterruptedError(argv, r.signal);
  if (r.status !== 0) throw new CommandError(argv, r.status, r.stderr);
  return r.stdout;
}

/** True when `name` is an executable on PATH. */
export function haveCommand(name: string): boolean {
  return tryRun(['sh', '-c', `command -v ${name}`]).status === 0;
}
