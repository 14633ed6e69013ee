import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
    // Root may write (access(2)) under /proc, where no folder can be made: a real write is tried.
    expect(() => checkOutDir('/proc/cnisim-no-such/report')).toThrow(
      /--out: cannot write in \/proc \(ENOENT\)/,
    );
    const report = join(root, 'report');
    mkdirSync(join(report, 'charts'), { recursive: true });
    for (const f of ['index.html', 'report.md']) writeFileSync(join(report, f), 'x');
    writeFileSync(join(report, 'data.json'), JSON.stringify({ meta: { study: 'seed', version: '0.1.0' } }));
    writeFileSync(join(report, 'charts', 'a.svg'), '<svg/>');
    expect(() => checkOutDir(report)).not.toThrow();
  });

  it('refuses a folder whose charts/ or data.json are not a report’s (replacing it deleted them)', () => {
    const root = tmp();
    mkdirSync(join(root, 'a', 'charts'), { recursive: true });
    writeFileSync(join(root, 'a', 'charts', 'my-notes.txt'), 'mine');
    expect(() => checkOutDir(join(root, 'a'))).toThrow(/charts\/my-notes\.txt/);
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'b', 'data.json'), '{"mine": true}');
    expect(() => checkOutDir(join(root, 'b'))).toThrow(/data\.json \(not a report's\)/);
  });

  it('follows a link to a folder: the report goes where it points, the link stays', async () => {
    const root = tmp();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    checkOutDir(join(root, 'link'));
    await replaceFolder(join(root, 'link'), async (d) => {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'data.json'), '"new"');
    });
    expect(lstatSync(join(root, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'real', 'data.json'), 'utf8')).toBe('"new"');
  });

  it('refuses a file, a path through a file, and a folder holding other files (before any work)', () => {
    const root = tmp();
    writeFileSync(join(root, 'afile'), 'keep me');
    expect(() => checkOutDir(join(root, 'afile'))).toThrow(/is a file, not a folder/);
    expect(() => checkOutDir(join(root, 'afile', 'sub'))).toThrow(/afile is a file, not a folder/);
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'home', 'notes.txt'), 'mine');
    writeFileSync(join(root, 'home', 'data.json'), JSON.stringify({ meta: { study: 'seed', version: '1' } }));
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

  it('removes what a killed writer left (its pid gone), not another live writer’s folder', async () => {
    const root = tmp();
    const dead = join(root, '.r.writing-999999999');
    const live = join(root, `.r.writing-${process.ppid}`);
    mkdirSync(dead);
    mkdirSync(live);
    await replaceFolder(join(root, 'r'), async (d) => {
      mkdirSync(d, { recursive: true });
    });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
