/**
 * `--set path=value`: one override of the normalized scenario, for what-if questions without
 * editing files. Paths are dotted (`host.nic.rx_usecs=0`, `host.rps_cpus=0-17`,
 * `wire.propagation_ns=50000`); `option.stages.<name>.<field>` addresses a stage by name.
 * Values parse as JSON when they can (numbers, booleans, arrays) and as strings otherwise, so
 * masks like `0-17` and `00000000,0003fdfe` stay strings; where the parameter holds a string (a CPU
 * list or mask, a mode), the value is taken as written (`host.rps_cpus=0` is CPU 0, `=00000003` the
 * hex mask of CPUs 0 and 1, not the numbers 0 and 3). The result is re-validated against the
 * schema; an unknown path or a value of the wrong type is an InputError naming the path and value.
 * Pure: returns a new scenario.
 */
import { InputError } from '../../cli/errors.ts';
import { validate } from '../load.ts';
import { Scenario } from '../schema/scenario.ts';

export function parseSetValue(raw: string): unknown {
  const t = raw.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  if (
    t === 'true' ||
    t === 'false' ||
    t === 'null' ||
    t.startsWith('[') ||
    t.startsWith('{') ||
    t.startsWith('"')
  ) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t;
}

/** Splits `path=value`; throws InputError('--set', ...) when there is no `=`. */
export function splitSet(expr: string): { path: string; value: unknown; raw: string } {
  const i = expr.indexOf('=');
  if (i <= 0) throw new InputError('--set', expr, 'expected path=value');
  const raw = expr.slice(i + 1);
  return { path: expr.slice(0, i).trim(), value: parseSetValue(raw), raw: raw.trim() };
}

export function applySet(scenario: Scenario, expr: string): Scenario {
  const { path, value, raw } = splitSet(expr);
  return setPath(scenario, path, value, raw);
}

/**
 * Sets `path` to `value`; `raw` is the text it was parsed from, taken instead where the parameter
 * holds a string (so a CPU list `0` or a hex mask `00000003` is not read as a number).
 */
export function setPath(scenario: Scenario, path: string, value: unknown, raw?: string): Scenario {
  const merged = mergedDefault(path);
  if (merged)
    throw new InputError(
      path,
      value,
      `the host profile's default, merged into ${merged} before overrides apply (setting it would change nothing): set ${merged}`,
    );
  if (path === 'host.id' || path === 'option.id')
    throw new InputError(
      path,
      value,
      `the ${path === 'host.id' ? 'host' : 'option'} id the result is labelled with (an override would report one ${path === 'host.id' ? 'host' : 'option'} as another, with the same numbers): to simulate another, give ${path === 'host.id' ? '--host' : '--option'} a file with its own id`,
    );
  const flag = FLAG_OF[path];
  if (flag)
    throw new InputError(
      path,
      value,
      `given by ${flag}, which the result is labelled with (an override would simulate another point than it names): use ${flag}`,
    );
  const keys = path.split('.');
  const copy = structuredClone(scenario) as unknown as Record<string, unknown>;
  // option.stages.<name>.<field> -> option.stages.{tx|rx}[i].<field>
  if (
    keys[0] === 'option' &&
    keys[1] === 'stages' &&
    keys.length === 4 &&
    keys[2] !== 'tx' &&
    keys[2] !== 'rx'
  ) {
    const name = keys[2]!;
    const stages = (copy.option as Scenario['option']).stages;
    const dir = stages.tx.some((s) => s.name === name)
      ? 'tx'
      : stages.rx.some((s) => s.name === name)
        ? 'rx'
        : null;
    if (dir === null)
      throw new InputError(
        path,
        value,
        `no stage named ${JSON.stringify(name)} in option ${scenario.option.id} (stages: ${[...stages.tx, ...stages.rx].map((s) => s.name).join(', ')})`,
      );
    const idx = stages[dir].findIndex((s) => s.name === name);
    keys.splice(2, 1, dir, String(idx));
  }
  let obj: unknown = copy;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    if (obj === null || typeof obj !== 'object' || !(k in (obj as object)))
      throw new InputError(
        path,
        value,
        `unknown parameter path (no ${JSON.stringify(keys.slice(0, i + 1).join('.'))})`,
      );
    obj = (obj as Record<string, unknown>)[k];
  }
  const last = keys[keys.length - 1]!;
  if (obj === null || typeof obj !== 'object' || !(last in (obj as object)))
    throw new InputError(path, value, 'unknown parameter path');
  const target = obj as Record<string, unknown>;
  if (typeof target[last] === 'string' && typeof value !== 'string' && raw !== undefined) value = raw;
  if (Array.isArray(target[last]) && !Array.isArray(value))
    throw new InputError(
      path,
      value,
      `a list: write it in JSON, quoted for the shell (now: '${path}=${JSON.stringify(target[last])}'), or set one entry as ${path}.<index>`,
    );
  target[last] = value;
  try {
    return validate(Scenario, copy, '');
  } catch (err) {
    if (err instanceof InputError) throw new InputError(path, value, err.reason);
    throw err;
  }
}

/** Scenario fields a simulate request sets from its flags: an override of them is refused. */
const FLAG_OF: Record<string, string> = {
  'workload.rate_rps': '--rate',
  'workload.response_bytes': '--response-bytes',
};

/**
 * Host-profile fields that normalize copies into the scenario's own sections (the wire, the
 * workload's request size and connections): the copy is what the model reads, so the path to set
 * is the copy's; returns it, or null for any other path.
 */
export function mergedDefault(path: string): string | null {
  if (path.startsWith('host.wire.')) return path.slice('host.'.length);
  if (path === 'host.apps.tcpkali.request_bytes') return 'workload.request_bytes';
  if (path === 'host.apps.tcpkali.connections') return 'workload.connections';
  return null;
}
