/**
 * `extends` in model files: a host profile or option file may name another (a built-in id, or a
 * path relative to the file) and give only what differs. The file's fields are merged over its
 * base's: objects key by key, at any depth; arrays and scalars are replaced whole (a stage list, a
 * list of NUMA masks). Chains are followed (a file may extend a file that extends a built-in), a
 * cycle is an error. The derived file needs its own `id` (results and fitted profiles are keyed by
 * it); its description defaults to "<id>: <base id> with changes". The merged data is validated by
 * the caller as if written out in full. Pure apart from reading the files.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../cli/errors.ts';

/** The merged data of a file and the ids of the files it extends, nearest first. */
export interface Extended {
  data: unknown;
  /** The file's own data, `extends` removed (what it sets itself). */
  own: unknown;
  bases: string[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `over` merged onto `base`: objects key by key, everything else replaced. Returns a new object. */
export function mergeOver(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeOver(base[k], v) : v;
  return out;
}

export interface ExtendsContext {
  /** Reads and parses one file (errors name `field`). */
  read(path: string, field: string): unknown;
  /** The file of a reference written in `extends`, relative to `fromDir`; undefined if none. */
  find(ref: string, fromDir: string): string | undefined;
  /** "host profile" or "network option", for messages. */
  kind: string;
}

/** Reads `file` and resolves its `extends` chain; `field` names the flag or path for errors. */
export function readExtended(
  file: string,
  field: string,
  ctx: ExtendsContext,
  seen: string[] = [],
): Extended {
  const abs = resolve(file);
  if (seen.includes(abs))
    throw new InputError(`${field}.extends`, file, `extends itself: ${[...seen, abs].join(' -> ')}`);
  const data = ctx.read(file, field);
  if (!isObj(data) || !('extends' in data)) return { data, own: data, bases: [] };
  const { extends: ref, ...own } = data;
  if (typeof ref !== 'string' || ref === '')
    throw new InputError(
      `${field}.extends`,
      ref,
      `names the ${ctx.kind} this file builds on (an id or a path)`,
    );
  const baseFile = ctx.find(ref, dirname(abs));
  if (!baseFile)
    throw new InputError(
      `${field}.extends`,
      ref,
      `unknown ${ctx.kind} (a built-in id, or a path relative to ${file})`,
    );
  if (typeof own.id !== 'string')
    throw new InputError(
      `${field}.id`,
      own.id,
      `a file that extends another needs its own id (results are labelled with it), in ${file}`,
    );
  const base = readExtended(baseFile, field, ctx, [...seen, abs]);
  const baseId = isObj(base.data) && typeof base.data.id === 'string' ? base.data.id : ref;
  const merged = mergeOver(base.data, own) as Obj;
  if (!('description' in own)) merged.description = `${own.id}: ${baseId} with changes`;
  markInheritedSources(merged, own, baseId);
  return { data: merged, own, bases: [baseId, ...base.bases] };
}

/**
 * Where a file sets values of a group but not the group's `source`, the inherited source describes
 * the base's numbers: it is prefixed with what this file set, so `--show` does not credit the base's
 * measurements with the file's values. Mutates `merged` (a fresh object from mergeOver).
 */
function markInheritedSources(merged: Obj, own: Obj, baseId: string): void {
  const set = Object.keys(own).filter(
    (k) => k !== 'source' && k !== 'id' && k !== 'description' && !isObj(own[k]),
  );
  if (set.length > 0 && !('source' in own) && typeof merged.source === 'string')
    merged.source = `${set.join(', ')} set by this file (no source given); otherwise ${baseId}'s: ${merged.source}`;
  for (const [k, v] of Object.entries(own))
    if (isObj(v) && isObj(merged[k])) markInheritedSources(merged[k], v, baseId);
}

/** A reference in `extends`: a built-in id (via `builtin`) or a path, absolute or relative to `fromDir`. */
export function findRelative(
  ref: string,
  fromDir: string,
  builtin: (id: string) => string | undefined,
  exists: (path: string) => boolean,
): string | undefined {
  if (/\.(ya?ml|json)$/.test(ref)) {
    const p = isAbsolute(ref) ? ref : resolve(fromDir, ref);
    return exists(p) ? p : undefined;
  }
  return builtin(ref);
}
