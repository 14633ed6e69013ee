/**
 * Starting the generator (or a probe) as a child process, optionally inside a network namespace and
 * pinned to CPUs, and reading its one JSON line. The child is killed if it overruns `timeoutMs`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** argv that runs the generator entry with the tsx loader, wherever the caller's cwd is. */
export function generatorArgv(
  mode: string,
  config: unknown,
  opts: { netns?: string; cpus?: string; rt?: boolean } = {},
): string[] {
  const argv: string[] = [];
  if (opts.netns) argv.push('ip', 'netns', 'exec', opts.netns);
  if (opts.cpus) argv.push('taskset', '-c', opts.cpus);
  // SCHED_FIFO 50 keeps co-tenants from delaying sends and reads (lab-notes); RT throttling caps it at 95 %.
  if (opts.rt) argv.push('chrt', '-f', '50');
  argv.push(process.execPath, '--import', import.meta.resolve('tsx'), MAIN, mode, JSON.stringify(config));
  return argv;
}

export interface ChildJson<T> {
  value: T;
  stderr: string;
  pid: number;
}

/**
 * Runs the child and resolves with its last JSON line. Earlier lines of the form {"event": ...}
 * are passed to `onEvent` as they arrive (the event's name, and the whole line's object).
 */
export function runJsonChild<T>(
  argv: readonly string[],
  timeoutMs: number,
  onEvent?: (event: string, line: Record<string, unknown>) => void,
): Promise<ChildJson<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      pending += d;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
        if (onEvent && line.startsWith('{"event":')) {
          try {
            const obj = JSON.parse(line) as Record<string, unknown>;
            onEvent(String(obj.event), obj);
          } catch {
            // not an event line after all
          }
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-10_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`generator did not finish within ${(timeoutMs / 1000).toFixed(0)} s (killed)`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ value: JSON.parse(line) as T, stderr: err, pid: child.pid ?? 0 });
      } catch {
        reject(
          new Error(
            `generator exited with ${signal ?? `code ${code}`} without a result${err.trim() ? `: ${err.trim().split('\n').slice(-2).join(' | ')}` : ''}`,
          ),
        );
      }
    });
  });
}
