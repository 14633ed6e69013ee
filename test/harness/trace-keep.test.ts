/**
 * `harness trace --keep-trace`: a directory that cannot be used is refused up front, exit 3 naming
 * the flag, before the lab lock, tracefs or the lab are touched (it used to fail with an internal
 * EEXIST error after the lab was built). Runs the CLI in this process, as cli.test.ts does; the
 * cases fail before anything needs root.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../cli/errors.ts';
import { prepareOutDir } from '../../cli/out-file.ts';

let main: (argv: string[]) => Promise<number>;
const dirs: string[] = [];

beforeAll(async () => {
  ({ main } = await import('../../cli/main.ts'));
}, 60_000);
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cns-keep-'));
  dirs.push(d);
  return d;
}

async function trace(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const code = await main(['node', 'cnisim', 'harness', 'trace', '--lab', '--option', 'net-host', ...args]);
  vi.restoreAllMocks();
  return { code, stderr };
}

describe('harness trace --keep-trace', () => {
  it('an existing file is refused with exit 3 naming --keep-trace, before anything is set up', async () => {
    const file = join(tmp(), 'trace.txt');
    writeFileSync(file, 'x');
    const r = await trace('--rates', '2000', '--keep-trace', file);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/--keep-trace: (.* )?is a file, not a directory/);
    expect(r.stderr).not.toMatch(/internal error|EEXIST|trace: events|lab:/);
  });

  it('so is a path under a file, and one that cannot be created', async () => {
    const file = join(tmp(), 'f');
    writeFileSync(file, 'x');
    const under = await trace('--rates', '2000', '--keep-trace', join(file, 'sub'));
    expect(under.code, under.stderr).toBe(3);
    expect(under.stderr).toMatch(/--keep-trace: (.* )?is a file, not a directory/);
    // /proc refuses new directories (Node's recursive mkdir would never return there).
    const proc = await trace('--rates', '2000', '--keep-trace', '/proc/cnisim-no/such');
    expect(proc.code, proc.stderr).toBe(3);
    expect(proc.stderr).toMatch(/--keep-trace: cannot be created or written/);
  });

  it('the --keep-trace folder check creates missing parents and leaves nothing but the directory', () => {
    const d = join(tmp(), 'a', 'b');
    prepareOutDir('--keep-trace', d);
    expect(existsSync(d)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
    prepareOutDir('--keep-trace', d); // an existing directory is fine
    const file = join(tmp(), 'f');
    writeFileSync(file, 'x');
    expect(() => prepareOutDir('--keep-trace', file)).toThrow(InputError);
  });
});
