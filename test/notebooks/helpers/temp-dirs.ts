/**
 * Fresh temporary folders for tests, removed by `cleanup` (default: after all tests of the file;
 * pass `afterEach` to remove them after every test). Call it at the top level of a test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function tempDirs(prefix: string, cleanup: (fn: () => void) => void = afterAll): () => string {
  const dirs: string[] = [];
  cleanup(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
