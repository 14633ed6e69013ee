/**
 * Reading a scenario file (`--scenario`): validated, with a host or option named by a relative
 * path taken relative to the scenario file, as `extends` paths are (a scenario beside its host file
 * works from any working directory). A path that is not there but is from the working directory
 * (how scenarios were read before) is kept as written. Built-in ids and inline objects are left
 * alone.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { readDataFile, validate } from './load.ts';
import { ScenarioInput } from './schema/scenario.ts';

export function readScenarioFile(file: string): ScenarioInput {
  const s = validate(ScenarioInput, readDataFile(file, '--scenario'), 'scenario');
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
