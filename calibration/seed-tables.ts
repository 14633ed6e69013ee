/**
 * Turns the seed study's published percentile tables (reference/seed-study-calibration.json) into
 * run records: one record per (table, option), percentiles only, no counters,
 * `source: "published-table"`, tcpkali resolution 0.1 ms.
 *
 * What the study does not publish is not invented silently: the measured duration, the exact
 * tcpkali build and the dates are unknown; the record's `warnings` say which fields are placeholders
 * (calibration uses none of them).
 *
 * Everything calibrate would refuse later is refused here, at import, naming the table, row and
 * column (CalibrationInputError, exit 3): a column named twice (the second would overwrite the
 * first), an option id the model does not know, percentiles that decrease along a row. A file that
 * is not a table file at all (not JSON, a JSON string, a run record, a fitted profile) is said to be
 * so in plain words before any schema detail; readSeedTablesFile names the file in every error.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../harness/run-record.ts';
import { builtinOptionIds } from '../model/load.ts';
import { PERCENTILE_QUANTILES, type PercentileKey } from '../sim/result.ts';
import { CalibrationInputError } from './errors.ts';

const Table = z.object({
  response_bytes: z.number().int().positive(),
  rate_rps: z.number().positive(),
  note: z.string().optional(),
  rows: z.record(z.string(), z.array(z.number().nonnegative())),
});

export const SeedStudyFile = z.object({
  about: z.string().optional(),
  environment: z.record(z.string(), z.unknown()).optional(),
  columns: z.array(z.string()).min(1),
  tables: z.array(Table).min(1),
});
export type SeedStudyFile = z.infer<typeof SeedStudyFile>;

/** Column name in the file (`p99_5_ms`) to percentile key (`p99_5`). */
function columnKey(col: string, i: number): PercentileKey {
  const k = col.replace(/_ms$/, '');
  if (!Object.hasOwn(PERCENTILE_QUANTILES, k))
    throw new CalibrationInputError(
      `columns.${i}`,
      col,
      `unknown column (one of ${Object.keys(PERCENTILE_QUANTILES).join(', ')}, with or without _ms)`,
    );
  return k as PercentileKey;
}

/** The columns' percentile keys; a key named twice is refused (its values would overwrite each other). */
function columnKeys(columns: readonly string[]): PercentileKey[] {
  const keys = columns.map(columnKey);
  keys.forEach((k, i) => {
    const first = keys.indexOf(k);
    if (first < i)
      throw new CalibrationInputError(
        `columns.${i}`,
        columns[i],
        `the same percentile as column ${first} (${JSON.stringify(columns[first])}): each column once`,
      );
  });
  return keys;
}

/** Field of errors about the file as a whole (readSeedTablesFile puts the file's name there). */
const ROOT = '(root)';

const LAYOUT = 'an object with "columns" and "tables", as ../shared/reference/seed-study-calibration.json';

/** What a JSON value that is not a table file is, in plain words; null when it may be one. */
function notATableFile(file: unknown): string | null {
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    const what = file === null ? 'null' : Array.isArray(file) ? 'an array' : `a ${typeof file}`;
    return `holds JSON ${what}, not a seed-study table file (${LAYOUT})`;
  }
  const o = file as Record<string, unknown>;
  if ('columns' in o || 'tables' in o) return null;
  if ('schema_version' in o && 'latency_ms' in o)
    return `a run record (one measured step${typeof o.option === 'string' ? `: ${o.option}` : ''}${typeof o.requested_rps === 'number' ? ` at ${o.requested_rps} requests/s` : ''}), not a seed-study table file (${LAYOUT}); run records need no import: give them to calibrate --runs`;
  if (o.kind === 'cnisim-fitted-profile')
    return `a fitted profile (calibrate's output), not a seed-study table file (${LAYOUT})`;
  const keys = Object.keys(o);
  return `not a seed-study table file: it has neither "columns" nor "tables" (${keys.length ? `its keys: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}` : 'an empty object'}; expected ${LAYOUT})`;
}

/** Zod's first issue, with its path, as the error the CLI prints. */
function parseFile(file: unknown): SeedStudyFile {
  const what = notATableFile(file);
  if (what !== null) throw new CalibrationInputError(ROOT, undefined, what);
  const r = SeedStudyFile.safeParse(file);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const got = issue.path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    file,
  );
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
  throw new CalibrationInputError(
    issue.path.map(String).join('.') || ROOT,
    got,
    `not a seed-study table file: ${issue.message}${more}`,
  );
}

/** A row's percentiles must not decrease with the quantile, whatever the columns' order. */
function checkRowOrder(
  field: string,
  columns: readonly string[],
  keys: readonly PercentileKey[],
  values: readonly number[],
): void {
  const order = keys
    .map((_, i) => i)
    .sort((a, b) => PERCENTILE_QUANTILES[keys[a]!] - PERCENTILE_QUANTILES[keys[b]!]);
  for (let j = 1; j < order.length; j++) {
    const lo = order[j - 1]!;
    const hi = order[j]!;
    if (values[hi]! < values[lo]!)
      throw new CalibrationInputError(
        `${field}, column ${columns[hi]}`,
        values,
        `percentiles out of order: ${columns[hi]} = ${values[hi]} ms is below ${columns[lo]} = ${values[lo]} ms`,
      );
  }
}

/** Pod-interface driver of each option of the study. */
const DRIVER: Readonly<Record<string, string>> = {
  'net-host': 'none',
  ipvlan: 'ipvlan',
  'flannel-host-gw': 'veth+bridge',
  'flannel-aws-vpc': 'veth+bridge',
  'flannel-vxlan': 'vxlan',
  macvlan: 'macvlan',
};

/** Request size on the wire (the graphs' legends imply about 37 B per request). */
const REQUEST_BYTES = 37;
/** A 4-KB file is about 4336 B of HTTP response on the wire (legend); 350 B is headers plus body. */
function responseOnWire(bytes: number): { total: number; body?: number } {
  if (bytes === 4096) return { total: 4336, body: 4096 };
  if (bytes === 350) return { total: 350, body: 100 };
  return { total: bytes };
}

const STUDY = 'Machine Zone, Comparison of Networking Solutions for Kubernetes (Dec 2015)';
const STUDY_DATE = '2015-12-01T00:00:00.000Z';

export function seedTablesToRecords(file: unknown): RunRecord[] {
  const parsed = parseFile(file);
  const keys = columnKeys(parsed.columns);
  const options = builtinOptionIds();
  const records: RunRecord[] = [];
  let step = 0;
  parsed.tables.forEach((table, t) => {
    const resp = responseOnWire(table.response_bytes);
    const run_id = `seed-study-${table.rate_rps / 1000}k-${table.response_bytes}B`;
    for (const option of Object.keys(table.rows).sort()) {
      const values = table.rows[option] ?? [];
      const field = `tables.${t}.rows.${option}`;
      if (!options.includes(option))
        throw new CalibrationInputError(field, option, `unknown option id (one of ${options.join(', ')})`);
      if (values.length !== keys.length)
        throw new CalibrationInputError(
          field,
          values,
          `${values.length} values for ${keys.length} columns (${parsed.columns.join(', ')})`,
        );
      checkRowOrder(field, parsed.columns, keys, values);
      const latency_ms: Partial<Record<PercentileKey, number>> = {};
      keys.forEach((k, i) => {
        latency_ms[k] = values[i]!;
      });
      const host = {
        name: 'c4.8xlarge',
        kernel: '4.3.0',
        cpus: 36,
        machine: 'c4.8xlarge',
        numa: [
          { node: 0, cpus: [...range(0, 8), ...range(18, 26)] },
          { node: 1, cpus: [...range(9, 17), ...range(27, 35)] },
        ],
      };
      records.push({
        schema_version: RUN_RECORD_SCHEMA_VERSION,
        run_id,
        step_index: step++,
        repeat: 0,
        source: 'published-table',
        citation: `${STUDY}; table at ${table.rate_rps} RPS, ${table.response_bytes} B responses`,
        started_at: STUDY_DATE,
        ended_at: STUDY_DATE,
        option,
        option_used: option,
        driver: DRIVER[option] ?? 'unknown',
        hosts: { server: { ...host, role: 'server' }, client: { ...host, role: 'client' } },
        tuning: {
          server: {
            origin: 'described',
            description:
              'IRQs of the 2 NIC queues on CPU 0 and 9; rps_cpus 0003fdfe; XPS per NUMA node; RFS 65536/32768; nginx 18 workers on CPUs 0-17',
          },
        },
        server_app: { name: 'nginx', workers: 18 },
        generator: {
          name: 'tcpkali',
          version: 'unknown (study era: 0.7 or an in-house build)',
          argv: [],
          command_line: '',
          loop: 'open',
          workers: 18,
          cpus: '0-17',
        },
        requested_rps: table.rate_rps,
        achieved_rps: table.rate_rps,
        connections: 60000,
        duration_s: 60,
        request_bytes: REQUEST_BYTES,
        response_bytes: resp.total,
        ...(resp.body !== undefined ? { response_body_bytes: resp.body } : {}),
        latency_ms,
        latency_kind: 'from_write',
        latency_resolution_ms: 0.1,
        valid: true,
        warnings: [
          'published table: achieved_rps assumed equal to the requested rate; duration_s (60), connections (about 60k) and dates are placeholders the study does not state',
          ...(table.note ? [`table note: ${table.note}`] : []),
        ],
      });
    }
  });
  return records;
}

/**
 * Reads a seed-study table file and turns it into records (seedTablesToRecords). Every error is a
 * CalibrationInputError whose field starts with the file's name: `<file>: not JSON, ...`,
 * `<file>: a run record ..., not a seed-study table file`, `<file>: tables.0.rate_rps: ...`.
 */
export function readSeedTablesFile(path: string): RunRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined;
    throw new CalibrationInputError(
      path,
      undefined,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a seed-study table file'
          : `cannot be read (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CalibrationInputError(
      path,
      undefined,
      `not JSON, so not a seed-study table file (${LAYOUT}): ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ')}`,
    );
  }
  try {
    return seedTablesToRecords(raw);
  } catch (err) {
    if (err instanceof CalibrationInputError)
      throw new CalibrationInputError(
        err.field === ROOT ? path : `${path}: ${err.field}`,
        err.value,
        err.reason,
      );
    throw err;
  }
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
