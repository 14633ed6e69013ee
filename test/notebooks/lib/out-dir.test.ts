import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../cli/errors.ts';
import { checkOutDir, replaceFolder } from '../../../notebooks/lib/out-dir.ts';
import { tempDirs } from '../helpers/temp-dirs.ts';

const tmp = tempDirs('cnisim-out-dir-');

describe('the folder a report goes to', () => {
  it('takes a new folder, an empty one, or one holding a report', () => {
    const root = tmp();
    expect(() => checkOutDir(join(root, 'new', 'deeper'))).not.toThrow();
    const report = join(root, 'report');
    mkdirSync(join(report, 'charts'), { recursive: true });
    for (const f of ['index.html', 'report.md', 'data.json']) writeFileSync(join(report, f), 'x');
    expect(() => checkOutDir(report)).not.toThrow();
  });

  it('refuses a file, a path through a file, and a folder holding other files (before any work)', () => {
    const root = tmp();
    writeFileSync(join(root, 'afile'), 'keep me');
    expect(() => checkOutDir(join(root, 'afile'))).toThrow(/is a file, not a folder/);
    expect(() => checkOutDir(join(root, 'afile', 'sub'))).toThrow(/afile is a file, not a folder/);
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'home', 'notes.txt'), 'mine');
    writeFileSync(join(root, 'home', 'data.json'), '{}');
    expect(() => checkOutDir(join(root, 'home'))).toThrow(InputError);
    expect(() => checkOutDir(join(root, 'home'))).toThrow(/not a report's \(notes\.txt\)/);
  });

  it('replaces a report as a whole: no chart of the previous one stays', async () => {
    const dir = join(tmp(), 'r');
    await replaceFolder(dir, async (d) => {
      mkdirSync(join(d, 'charts'), { recursive: true });
      writeFileSync(join(d, 'charts', 'old-chart.svg'), 'old');
      writeFileSync(join(d, 'data.json'), '"old"');
    });
    await replaceFolder(dir, async (d) => {
      mkdirSync(join(d, 'charts'), { recursive: true });
      writeFileSync(join(d, 'charts', 'new-chart.svg'), 'new');
      writeFileSync(join(d, 'data.json'), '"new"');
    });
    expect(readdirSync(join(dir, 'charts'))).toEqual(['new-chart.svg']);
    expect(readFileSync(join(dir, 'data.json'), 'utf8')).toBe('"new"');
    // Nothing left beside it.
    expect(readdirSync(join(dir, '..'))).toEqual(['r']);
  });

  it('leaves the previous report as it was when writing fails half-way', async () => {
    const dir = join(tmp(), 'r');
    await replaceFolder(dir, async (d) => {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'data.json'), '"old"');
    });
    await expect(
      replaceFolder(dir, async (d) => {
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'data.json'), '"half"');
        throw new Error('chart failed');
      }),
    ).rejects.toThrow('chart failed');
    expect(readFileSync(join(dir, 'data.json'), 'utf8')).toBe('"old"');
    expect(readdirSync(join(dir, '..'))).toEqual(['r']);
    expect(existsSync(join(dir, '..', `.r.writing-${process.pid}`))).toBe(false);
  });
});
