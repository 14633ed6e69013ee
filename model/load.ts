/**
 * Reading model data: built-in host profiles (model/hosts/*.yaml) and options (model/options/*.yaml),
 * or user files in YAML or JSON. Validation failures become one InputError naming the path of the
 * first bad field and its value.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError } from '../cli/errors.ts';
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

function resolveFile(dir: string, ref: string): string | undefined {
  if (existsSync(ref) && /\.(ya?ml|json)$/.test(ref)) return ref;
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = join(dir, `${ref}${ext}`);
    if (/^[a-zA-Z0-9._-]+$/.test(ref) && existsSync(p)) return p;
  }
  return undefined;
}

/** A built-in host id (`c4.8xlarge`) or a path to a YAML/JSON host profile. */
export function loadHost(ref: string, field = 'host'): HostProfile {
  const file = resolveFile(HOSTS_DIR, ref);
  if (!file)
    throw new InputError(
      field,
      ref,
      `unknown host profile (built-in: ${builtinHostIds().join(', ')}; or a .yaml/.json file)`,
    );
  return validate(HostProfile, readDataFile(file, field), field);
}

/** A built-in option id (`flannel-vxlan`) or a path to a YAML/JSON option file. */
export function loadOption(ref: string, field = 'option'): NetworkOption {
  const file = resolveFile(OPTIONS_DIR, ref);
  if (!file)
    throw new InputError(
      field,
      ref,
      `unknown network option (built-in: ${builtinOptionIds().join(', ')}; or a .yaml/.json file)`,
    );
  return validate(NetworkOption, readDataFile(file, field), field);
}
