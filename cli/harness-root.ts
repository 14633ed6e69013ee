/**
 * `--root` of `harness tune` and `harness host-file`: the filesystem tree /proc and /sys are read
 * under (`/` on a real host, a fake tree in tests). Checked first, so that a wrong root is blamed on
 * --root and not on the interface or CPUs that then cannot be found under it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './errors.ts';

export function requireFsRoot(root: string): void {
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (!isDir(root)) throw new InputError('--root', root, 'no such directory');
  const lacking = ['proc', 'sys'].filter((d) => !isDir(join(root, d)));
  if (lacking.length > 0)
    throw new InputError(
      '--root',
      root,
      `has no ${lacking.map((d) => `${d}/`).join(' or ')} directory: not the root of a machine's /proc and /sys`,
    );
}
