/**
 * A scenario: which host profile, which option, what load, and optional overrides. As a file
 * (YAML or JSON) `host` and `option` are built-in ids or paths to files; after normalize they are
 * complete objects.
 */
import { z } from 'zod';
import { HostProfile } from './host.ts';
import { NetworkOption } from './option.ts';
import { Wire } from './wire.ts';
import { Workload, WorkloadInput } from './workload.ts';

export const ScenarioInput = z.strictObject({
  host: z.union([z.string(), HostProfile]).optional(),
  option: z.union([z.string(), NetworkOption]).optional(),
  workload: WorkloadInput.partial().optional(),
  wire: Wire.partial().optional(),
  /** `path=value` overrides applied after normalize, as with `--set`. */
  set: z.array(z.string()).optional(),
});
export type ScenarioInput = z.infer<typeof ScenarioInput>;

/** The complete, validated scenario every later phase receives (read-only). */
export const Scenario = z.strictObject({
  host: HostProfile,
  option: NetworkOption,
  workload: Workload,
  wire: Wire,
});
export type Scenario = z.infer<typeof Scenario>;
