/**
 * An exclusive lock beside a file that one process appends to (a sweep log): `<file>.lock` holds the
 * holder's pid. A second process is refused while the holder runs; a lock whose process is gone
 * (killed, crashed) is taken over. Local processes only (the pid is checked on this machine). Two
 * processes taking over one stale lock at the same instant may both succeed (rare: it needs a crash
 * and two restarts racing).
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { InputError } from './errors.ts';

export function lockFile(path: string, flag: string): () => void {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The lock appears with its pid in it (written aside, then linked into place: linking fails if
    // the lock exists), so no other process ever reads an empty lock.
    const mine = `${lock}.${process.pid}`;
    writeFileSync(mine, `${process.pid}\n`);
    try {
      linkSync(mine, lock);
      return hold(lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(mine, { force: true });
    }
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
      throw err;
    }
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid))
      throw new InputError(
        flag,
        path,
        `another process (pid ${pid}) is writing it: wait for it to finish, or remove ${lock} if it is not running`,
      );
    rmSync(lock, { force: true }); // its holder is gone: take it over
  }
  throw new InputError(flag, path, `could not lock it (${lock} keeps reappearing)`);
}

/** Holds `lock` until released; released on Ctrl-C or kill too. */
function hold(lock: string): () => void {
  // The signal is raised again after the release, so the process still ends as the signal ends it
  // (exit 130 on SIGINT); a lock left by a crash is taken over by the next run.
  const onSignal = (sig: NodeJS.Signals) => {
    release();
    process.kill(process.pid, sig);
  };
  const release = () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(lock, { force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return release;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
