/**
 * Reading model data: built-in host profiles (model/hosts/*.yaml) and options (model/options/*.yaml),
 * or user files in YAML or JSON. Validation failures become one InputError naming the path of the
 * first bad field and its value.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError } from '../cli/errors.ts';
import { parseCpuMask } from './cpu-mask.ts';
import { type Extended, findRelative, readExtended } from './extends.ts';
import { HostProfile } from './schema/host.ts';
import { NetworkOption } from './schema/option.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const HOSTS_DIR = join(HERE, 'hosts');
export const OPTIONS_DIR = join(HERE, 'options');

function idsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
    .sort();
}

export function builtinHostIds(): string[] {
  return idsIn(HOSTS_DIR);
}

/** Built-in options in the study's order first, then any others alphabetically. */
export function builtinOptionIds(): string[] {
  const order = ['net-host', 'ipvlan', 'flannel-host-gw', 'flannel-aws-vpc', 'flannel-vxlan', 'macvlan'];
  const ids = idsIn(OPTIONS_DIR);
  return [...order.filter((id) => ids.includes(id)), ...ids.filter((id) => !order.includes(id))];
}

/** Parses a YAML or JSON file; `field` names the flag or path for errors. */
export function readDataFile(path: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(field, path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new InputError(
      field,
      path,
      `not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

/** Validates `data` against `schema`; on failure throws InputError for the first issue, path prefixed by `root`. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, root: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = [root, ...issue.path.map(String)].filter((s) => s !== '').join('.');
  throw new InputError(path, valueAt(data, issue.path), issue.message);
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Why a path is not a model file: missing, a folder, or not named .yaml/.yml/.json (lower case). */
function notAFile(ref: string, kind: string): string {
  if (!existsSync(ref)) return `no such ${kind} file`;
  if (statSync(ref).isDirectory()) return `is a folder, not a ${kind} file`;
  return `a ${kind} file must be named .yaml, .yml or .json (lower case), to be read as YAML or JSON`;
}

/** A reference written as a file path (a directory part or a data-file extension), not an id. */
function looksLikePath(ref: string): boolean {
  return ref.includes('/') || /\.(ya?ml|json)$/.test(ref);
}

function resolveFile(dir: string, ref: string): string | undefined {
  if (existsSync(ref) && /\.(ya?ml|json)$/.test(ref)) return ref;
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = join(dir, `${ref}${ext}`);
    if (/^[a-zA-Z0-9._-]+$/.test(ref) && existsSync(p)) return p;
  }
  return undefined;
}

/** A model file with its `extends` chain resolved (model/extends.ts). */
function readModel(file: string, field: string, dir: string, kind: string): Extended {
  return readExtended(file, field, {
    read: readDataFile,
    kind,
    find: (ref, fromDir) =>
      findRelative(
        ref,
        fromDir,
        (id) => (/^[a-zA-Z0-9._-]+$/.test(id) ? resolveFile(dir, id) : undefined),
        existsSync,
      ),
  });
}

/** The file of a built-in host id (`c4.8xlarge`) or of a host profile path; undefined if neither. */
export function hostFilePath(ref: string): string | undefined {
  return resolveFile(HOSTS_DIR, ref);
}

/** The file of a built-in option id or of an option file path; undefined if neither. */
export function optionFilePath(ref: string): string | undefined {
  return resolveFile(OPTIONS_DIR, ref);
}

/** A built-in host id (`c4.8xlarge`) or a path to a YAML/JSON host profile (which may extend another). */
export function loadHost(ref: string, field = 'host'): HostProfile {
  const file = hostFilePath(ref);
  if (!file)
    throw new InputError(
      field,
      ref,
      looksLikePath(ref) || existsSync(ref)
        ? notAFile(ref, 'host profile')
        : `unknown host profile (built-in: ${builtinHostIds().join(', ')}; or a .yaml/.json file)`,
    );
  const x = readModel(file, field, HOSTS_DIR, 'host profile');
  const host = validate(HostProfile, x.data, field);
  if (x.bases.length > 0) checkInheritedCpus(host, x, field, file);
  if (file !== hostFilePath(host.id) && builtinHostIds().includes(host.id))
    checkNotPosing(host, loadHost(host.id), field, 'host profile');
  return host;
}

/**
 * A file that takes a built-in's id must be that built-in (a saved `hosts --show`): results are
 * labelled with the id and fitted profiles matched by it, so another content under it would pass
 * for the built-in.
 */
export function checkNotPosing(mine: { id: string }, builtin: unknown, field: string, kind: string): void {
  if (canonical(mine) !== canonical(builtin))
    throw new InputError(
      `${field}.id`,
      mine.id,
      `is the built-in ${kind}'s id, and this file differs from it: give the file its own id (results are labelled with it, and fitted profiles are matched by it)`,
    );
}

/**
 * JSON with object keys sorted and the prose left out (`description`, `source`), so two files that
 * differ only in key order or wording compare equal: what is compared is what is simulated.
 */
function canonical(x: unknown): string {
  return JSON.stringify(x, (k, v) =>
    k === 'description' || k === 'source'
      ? undefined
      : v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/** The ids a host file extends, nearest first ([] for a built-in or a file without `extends`). */
export function hostBases(ref: string): string[] {
  const file = hostFilePath(ref);
  return file ? readModel(file, 'host', HOSTS_DIR, 'host profile').bases : [];
}

/** Fields of a host profile that name CPUs. */
const CPU_FIELDS = [
  'cpus.numa_nodes',
  'nic.irq_cpus',
  'rps_cpus',
  'xps_cpus',
  'apps.nginx.cpus',
  'apps.tcpkali.cpus',
];

/**
 * A host that extends another with fewer CPUs inherits masks naming CPUs it lacks: all of them in
 * one message (the scenario check would name only the first).
 */
function checkInheritedCpus(host: HostProfile, x: Extended, field: string, file: string): void {
  const n = host.cpus.count;
  const bad = CPU_FIELDS.filter((path) => {
    const keys = path.split('.');
    if (valueAt(x.own, keys) !== undefined) return false;
    const v = valueAt(host, keys);
    const masks = Array.isArray(v) ? v : [v];
    return masks.some((m) => typeof m === 'string' && safeMask(m).some((c) => c >= n));
  });
  if (bad.length > 0)
    throw new InputError(
      `${field}.cpus.count`,
      n,
      `${bad.join(', ')} (inherited from ${x.bases[0]}) name CPUs this host lacks (it has 0-${n - 1}): set them in ${file}`,
    );
}

function safeMask(text: string): number[] {
  try {
    return parseCpuMask(text);
  } catch {
    return [];
  }
}

/** A built-in option id (`flannel-vxlan`) or a path to a YAML/JSON option file (which may extend another). */
export function loadOption(ref: string, field = 'option'): NetworkOption {
  const file = optionFilePath(ref);
  if (!file)
    throw new InputError(
      field,
      ref,
      looksLikePath(ref) || existsSync(ref)
        ? notAFile(ref, 'network option')
        : `unknown network option (built-in: ${builtinOptionIds().join(', ')}; or a .yaml/.json file)`,
    );
  const option = validate(NetworkOption, readModel(file, field, OPTIONS_DIR, 'network option').data, field);
  if (file !== optionFilePath(option.id) && builtinOptionIds().includes(option.id))
    checkNotPosing(option, loadOption(option.id), field, 'network option');
  return option;
}

/**
 * Refuses two option references (ids or files) that load as the same option id: results are
 * labelled by id, so one would pass for the other (and a report keeps only one of them).
 */
export function checkDistinctOptionIds(refs: readonly string[], field: string): void {
  const seen = new Map<string, string>();
  for (const ref of refs) {
    const id = loadOption(ref, field).id;
    const other = seen.get(id);
    if (other !== undefined)
      throw new InputError(
        field,
        refs.join(','),
        `${other} and ${ref} are both option ${id}: results are labelled by id, so one would pass for the other; give the file its own id`,
      );
    seen.set(id, ref);
  }
}
