/**
 * Reading a scenario file (`--scenario`): validated, with a host or option named by a relative
 * path taken relative to the scenario file, as `extends` paths are (a scenario beside its host file
 * works from any working directory). A path that is not there but is from the working directory
 * (how scenarios were read before) is kept as written. Built-in ids and inline objects are left
 * alone.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../cli/errors.ts';
import {
  builtinHostIds,
  builtinOptionIds,
  checkNotPosing,
  loadHost,
  loadOption,
  readDataFile,
  validate,
} from './load.ts';
import { HostProfile } from './schema/host.ts';
import { NetworkOption } from './schema/option.ts';
import { ScenarioInput } from './schema/scenario.ts';

export function readScenarioFile(file: string): ScenarioInput {
  const raw = readDataFile(file, '--scenario');
  // An inline host or option is checked on its own first, so an error names its field (the
  // scenario's schema would say only that neither an id nor a host matched).
  for (const [key, schema] of [
    ['host', HostProfile],
    ['option', NetworkOption],
  ] as const) {
    const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
    if (v === null || typeof v !== 'object') continue;
    if ('extends' in v)
      throw new InputError(
        `scenario.${key}.extends`,
        (v as { extends: unknown }).extends,
        `an inline ${key} cannot extend another: put it in a file of its own and name the file (${key}: my-${key}.yaml)`,
      );
    const inline = validate(schema, v, `scenario.${key}`) as { id: string };
    // An inline one may not pass for a built-in either (model/load.ts).
    const builtins = key === 'host' ? builtinHostIds() : builtinOptionIds();
    if (builtins.includes(inline.id))
      checkNotPosing(
        inline,
        key === 'host' ? loadHost(inline.id) : loadOption(inline.id),
        `scenario.${key}`,
        key === 'host' ? 'host profile' : 'network option',
      );
  }
  const s = validate(ScenarioInput, raw, 'scenario');
  const here = (ref: unknown) => {
    if (typeof ref !== 'string' || isAbsolute(ref) || !(ref.includes('/') || /\.(ya?ml|json)$/.test(ref)))
      return ref;
    const beside = join(dirname(file), ref);
    return existsSync(beside) || !existsSync(ref) ? beside : ref;
  };
  return {
    ...s,
    ...(s.host !== undefined ? { host: here(s.host) } : {}),
    ...(s.option !== undefined ? { option: here(s.option) } : {}),
  } as ScenarioInput;
}
