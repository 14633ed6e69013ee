import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunRecord, runRecordJsonSchema } from '../../harness/run-record.ts';
import {
  countRunRecordFiles,
  loadRunRecords,
  RunRecordError,
  writeRunRecord,
} from '../../harness/run-record-io.ts';
import { tempDirs } from '../notebooks/helpers/temp-dirs.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const good = join(fixtures, 'records', '0000-flannel-vxlan-2000rps-r0.json');
const readGood = (): RunRecord => JSON.parse(readFileSync(good, 'utf8')) as RunRecord;

const tmp = tempDirs('cns-rr-', afterEach);

describe('RunRecord schema', () => {
  it('accepts the lab fixture and keeps its values', () => {
    const [r] = loadRunRecords([join(fixtures, 'records')]);
    expect(r?.option_used).toBe('flannel-vxlan');
    expect(r?.latency_ms.p99).toBe(0.3);
    expect(r?.counters?.machine?.softirqs?.[1]?.net_rx).toBe(12010);
  });

  it('names the file and the field of a bad value', () => {
    const f = join(fixtures, 'bad', 'negative-p99.json');
    expect(() => loadRunRecords([f])).toThrow(RunRecordError);
    expect(() => loadRunRecords([f])).toThrow(/negative-p99\.json: latency_ms\.p99: /);
  });

  it('requires a reason on an invalid record', () => {
    expect(() => loadRunRecords([join(fixtures, 'bad', 'invalid-without-reason.json')])).toThrow(
      /invalid_reason: required when valid is false/,
    );
  });

  it('rejects a cut-off file as not JSON, naming it', () => {
    expect(() => loadRunRecords([join(fixtures, 'bad', 'truncated-record.txt')])).toThrow(
      /truncated-record\.txt: not valid JSON/,
    );
  });

  it('rejects unknown fields (typos must not pass silently)', () => {
    const r = { ...readGood(), achieved_rsp: 5 };
    expect(RunRecord.safeParse(r).success).toBe(false);
  });

  it('a missing path is an error naming it', () => {
    expect(() => loadRunRecords(['/nonexistent/cns-runs'])).toThrow(/cns-runs: no such file/);
  });

  it('exports a JSON Schema that lists the required fields', () => {
    const s = runRecordJsonSchema();
    expect(s.title).toBe('cnisim run record');
    const required = s.required as string[];
    for (const k of ['schema_version', 'option', 'option_used', 'driver', 'generator', 'latency_ms', 'valid'])
      expect(required).toContain(k);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('writeRunRecord', () => {
  it('writes atomically (no temp file left) and reads back equal', () => {
    const d = tmp();
    const path = writeRunRecord(join(d, 'run'), readGood());
    expect(readdirSync(join(d, 'run'))).toEqual(['0000-flannel-vxlan-2000rps-r0.json']);
    expect(loadRunRecords([path])[0]).toEqual(readGood());
  });

  it('refuses to write a record that fails the schema, leaving nothing behind', () => {
    const d = tmp();
    const bad = { ...readGood(), achieved_rps: -3 };
    expect(() => writeRunRecord(d, bad)).toThrow(/achieved_rps/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('never overwrites a record: the same name again is refused and the first stays as written', () => {
    const d = tmp();
    const path = writeRunRecord(d, readGood());
    const second = { ...readGood(), achieved_rps: readGood().achieved_rps + 1 };
    expect(() => writeRunRecord(d, second)).toThrow(/exists: a run record is never overwritten/);
    expect(loadRunRecords([path])[0]).toEqual(readGood());
    expect(readdirSync(d)).toEqual(['0000-flannel-vxlan-2000rps-r0.json']);
    expect(countRunRecordFiles(d)).toBe(1);
    expect(countRunRecordFiles(join(d, 'none'))).toBe(0);
  });

  it('loading a directory skips hidden temp files of an interrupted write', () => {
    const d = tmp();
    writeRunRecord(d, readGood());
    writeFileSync(join(d, '.0001-x.json.123.tmp'), '{"half":');
    expect(loadRunRecords([d])).toHaveLength(1);
  });
});
