/** The whole compilation, phase by phase: normalize -> resolveSteering -> assemble. */
import { assemble, type Compiled } from './assemble.ts';
import { type NormalizeInput, normalize } from './normalize.ts';
import { resolveSteering } from './resolve-steering.ts';

export function compile(input: NormalizeInput): Compiled {
  const scenario = normalize(input);
  const steering = resolveSteering(scenario);
  return assemble(scenario, steering);
}
