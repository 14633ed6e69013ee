/** Runs `node bin/cnisim.mjs <args>` as a user would, in a child process: exit code, stdout, stderr. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/cnisim.mjs', import.meta.url));

export function cnisim(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 110_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
