/**
 * The lab lock: `/tmp/cnisim-lab.lock`, an flock(2) lock that live lab measurements hold so that
 * two of them never share the machine (`flock /tmp/cnisim-lab.lock cnisim bench lab-calibration`,
 * docs/calibration.md). `acquireLabLock` takes it for this process with flock(1) in a child that
 * holds it until released or until this process dies (its stdin pipe then closes), so a crash never
 * leaves it taken. When an ancestor of this process already holds it (the command was started under
 * `flock /tmp/cnisim-lab.lock ...`), the lock is ours already and nothing is taken.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';

export const LAB_LOCK_PATH = '/tmp/cnisim-lab.lock';

export class LabLockError extends Error {
  /** Exit 3: the lab is busy (another measurement holds the lock), not a bug of cnisim. */
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'LabLockError';
  }
}

/** Pids holding an flock on `path` (from /proc/locks; waiters are not holders). */
export function labLockHolders(path = LAB_LOCK_PATH): number[] {
  let ino: number;
  try {
    ino = statSync(path).ino;
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    if (line.includes('->')) continue;
    const f = line.trim().split(/\s+/);
    // 1: FLOCK  ADVISORY  WRITE 1234 00:1f:5678 0 EOF
    if (f[1] !== 'FLOCK' || f[3] !== 'WRITE') continue;
    const devIno = f[5]?.split(':');
    if (Number(devIno?.[2]) === ino) out.push(Number(f[4]));
  }
  return out;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function ancestors(pid: number): Set<number> {
  const out = new Set<number>();
  for (let p = parentOf(pid); p > 1 && !out.has(p); p = parentOf(p)) out.add(p);
  return out;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '?';
  }
}

/** Holders of the lab lock other than this process's ancestors (someone else's measurement). */
export function otherLabLockHolders(path = LAB_LOCK_PATH): number[] {
  const mine = ancestors(process.pid);
  return labLockHolders(path).filter((p) => !mine.has(p));
}

export interface LabLock {
  /** True when an ancestor process held the lock already. */
  inherited: boolean;
  /** Releases the lock (synchronous, idempotent; safe in a signal handler). */
  release(): void;
}

/**
 * Takes the lab lock, waiting up to `wait_s` seconds for whoever holds it (logging who). Throws
 * LabLockError when it stays held.
 */
export async function acquireLabLock(opts: {
  wait_s: number;
  path?: string;
  log?: (msg: string) => void;
}): Promise<LabLock> {
  const path = opts.path ?? LAB_LOCK_PATH;
  const log = opts.log ?? (() => {});
  closeSync(openSync(path, 'a'));
  const holders = labLockHolders(path);
  const mine = ancestors(process.pid);
  if (holders.some((p) => mine.has(p))) return { inherited: true, release: () => {} };
  if (holders.length > 0)
    log(
      `lab lock ${path} is held by pid ${holders.join(', ')} (${commandLine(holders[0]!)}): waiting up to ${opts.wait_s} s`,
    );
  // -o: the lock stays with flock itself (not inherited by cat), so killing flock releases it.
  const child: ChildProcess = spawn(
    'flock',
    ['-o', '-w', String(opts.wait_s), path, 'sh', '-c', 'echo locked; exec cat'],
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const release = () => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.pid)
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
  };
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('locked')) resolve();
    });
    child.on('error', (e) => reject(new LabLockError(`cannot run flock for the lab lock: ${e.message}`)));
    child.on('exit', (code) =>
      reject(
        new LabLockError(
          code === 1
            ? `the lab lock ${path} stayed held for ${opts.wait_s} s (another lab measurement is running); try again later`
            : `flock on ${path} failed (exit ${code}): ${err.trim()}`,
        ),
      ),
    );
  });
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return { inherited: false, release };
}
