/**
 * `import seed-tables` given a file that is not a seed-study table file: the message names the file
 * and says plainly what it is not (D4).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSeedTablesFile, seedTablesToRecords } from '../../calibration/seed-tables.ts';
import { makeRecord } from './fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cnisim-seed-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('readSeedTablesFile: files that are not table files', () => {
  it('text that is not JSON', () => {
    const f = file('notes.json', 'hello\n');
    expect(() => readSeedTablesFile(f)).toThrow(
      new RegExp(`^${f}: not JSON, so not a seed-study table file \\(an object with "columns" and "tables"`),
    );
  });

  it('a run record, said to be one, with no schema detail', () => {
    const rec = makeRecord({ option: 'net-host', rate_rps: 150000, latency_ms: { p99: 1 } });
    const f = file('rec.json', JSON.stringify(rec));
    let msg = '';
    try {
      readSeedTablesFile(f);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(
      new RegExp(
        `^${f}: a run record \\(one measured step: net-host at 150000 requests/s\\), not a seed-study table file .*give them to calibrate --runs$`,
      ),
    );
    expect(msg).not.toMatch(/undefined|Invalid input|\(root\)/);
  });

  it('JSON that is not an object, a fitted profile, an object without the layout, a missing file', () => {
    expect(() => readSeedTablesFile(file('s.json', '"hello"'))).toThrow(
      /s\.json: holds JSON a string, not a seed-study table file/,
    );
    expect(() => readSeedTablesFile(file('p.json', '{"kind":"cnisim-fitted-profile","params":{}}'))).toThrow(
      /p\.json: a fitted profile \(calibrate's output\), not a seed-study table file/,
    );
    expect(() => readSeedTablesFile(file('o.json', '{"a":1,"b":2}'))).toThrow(
      /o\.json: not a seed-study table file: it has neither "columns" nor "tables" \(its keys: a, b;/,
    );
    expect(() => readSeedTablesFile(join(tmp, 'none.json'))).toThrow(/none\.json: no such file$/);
  });

  it('errors inside a table file keep their path after the file name', () => {
    const f = file(
      'neg.json',
      JSON.stringify({ columns: ['p99_ms'], tables: [{ response_bytes: 350, rate_rps: -1, rows: {} }] }),
    );
    expect(() => readSeedTablesFile(f)).toThrow(
      new RegExp(`^${f}: tables\\.0\\.rate_rps: not a seed-study table file: Too small`),
    );
  });

  it('seedTablesToRecords on a run record says so in plain words', () => {
    const rec = makeRecord({ option: 'net-host', rate_rps: 150000, latency_ms: { p99: 1 } });
    expect(() => seedTablesToRecords(rec)).toThrow(/^\(root\): a run record .*not a seed-study table file/);
  });
});
