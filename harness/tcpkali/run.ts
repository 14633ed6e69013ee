/**
 * Finding and running tcpkali. tcpkali is not packaged in Debian; when it is absent the harness
 * says so and uses cnisim's own open-loop generator (harness/generator/) instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { TcpkaliCommand } from './command.ts';
import { parseTcpkaliSummary, type TcpkaliSummary } from './parse.ts';

export type TcpkaliDetection =
  | { found: true; binary: string; version: string }
  | { found: false; reason: string };

/** Looks for tcpkali on PATH (or at `binary`) and reads its version. */
export function detectTcpkali(binary = 'tcpkali'): TcpkaliDetection {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return {
      found: false,
      reason:
        code === 'ENOENT'
          ? `${binary} is not installed (it is not packaged in Debian; build it from github.com/satori-com/tcpkali)`
          : `${binary} --version failed: ${r.error.message}`,
    };
  }
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const m = /(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return { found: true, binary, version: m?.[1] ?? 'unknown' };
}

export interface TcpkaliRun {
  summary: TcpkaliSummary;
  stdout: string;
  stderr: string;
}

/**
 * Runs one step and parses its summary. A non-zero exit, a timeout (duration + ramp-up + 30 s
 * grace by default) or an unparseable summary rejects with the reason; nothing partial is returned.
 */
export function runTcpkali(
  cmd: TcpkaliCommand,
  opts: { timeoutMs: number; prefix?: readonly string[] },
): Promise<TcpkaliRun> {
  const argv = [...(opts.prefix ?? []), ...cmd.argv];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-20_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tcpkali did not finish within ${opts.timeoutMs / 1000} s`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`tcpkali exited with ${signal ?? `code ${code}`}: ${tail}`));
        return;
      }
      try {
        resolve({ summary: parseTcpkaliSummary(stdout, 'tcpkali stdout'), stdout, stderr });
      } catch (e) {
        reject(e);
      }
    });
  });
}
