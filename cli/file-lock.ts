/**
 * An exclusive lock beside a file that one process appends to (a sweep log): `<file>.lock` holds the
 * holder's pid. A second process is refused while the holder runs; a lock whose process is gone
 * (killed, crashed) is taken over. Local processes only (the pid is checked on this machine).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { InputError } from './errors.ts';

export function lockFile(path: string, flag: string): () => void {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      // Released on Ctrl-C or kill too: the signal is raised again after, so the process still
      // ends as the signal ends it (exit 130 on SIGINT); a lock left by a crash is taken over.
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
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid))
        throw new InputError(
          flag,
          path,
          `another process (pid ${pid}) is writing it: wait for it to finish, or remove ${lock} if it is not running`,
        );
      rmSync(lock, { force: true }); // its holder is gone: take it over
    }
  }
  throw new InputError(flag, path, `could not lock it (${lock} keeps reappearing)`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
