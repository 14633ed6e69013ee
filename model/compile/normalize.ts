/**
 * Phase 1, normalize: turns a scenario as written (ids or file paths, partial workload and wire)
 * into the complete Scenario every later phase reads. Defaults are merged here and nowhere else:
 * workload fields missing come from the host profile's tcpkali section, the wire from the host
 * profile. `set` overrides are applied afterwards (applySet) and the result is checked (checkScenario).
 * Pure apart from reading the referenced data files.
 */
import { loadHost, loadOption, validate } from '../load.ts';
import type { HostProfile } from '../schema/host.ts';
import type { NetworkOption } from '../schema/option.ts';
import { Scenario, type ScenarioInput } from '../schema/scenario.ts';
import { applySet } from './set.ts';
import { checkScenario } from './check.ts';

export interface NormalizeInput extends Omit<ScenarioInput, 'host' | 'option'> {
  host?: string | HostProfile;
  option?: string | NetworkOption;
}

export const DEFAULT_HOST = 'c4.8xlarge';

export function normalize(input: NormalizeInput): Scenario {
  const host = typeof input.host === 'object' ? input.host : loadHost(input.host ?? DEFAULT_HOST);
  if (input.option === undefined) throw new Error('normalize: option is required');
  const option = typeof input.option === 'object' ? input.option : loadOption(input.option);
  const w = input.workload ?? {};
  const merged = {
    host,
    option,
    workload: {
      rate_rps: w.rate_rps,
      response_bytes: w.response_bytes,
      request_bytes: w.request_bytes ?? host.apps.tcpkali.request_bytes,
      connections: w.connections ?? host.apps.tcpkali.connections,
      response_header_bytes: w.response_header_bytes ?? 0,
    },
    wire: { ...host.wire, ...(input.wire ?? {}) },
  };
  let scenario = validate(Scenario, merged, '');
  for (const s of input.set ?? []) scenario = applySet(scenario, s);
  checkScenario(scenario);
  return deepFreeze(scenario);
}

export function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}
