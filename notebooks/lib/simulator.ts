/**
 * How studies reach the simulator: `simulate()` from sim/simulate.ts, loaded on first use so the
 * report machinery (and its tests) work without it. Studies take a `SimulateFn` so a test can
 * hand them a fixture-backed one; the CLI and `runStudy` always use the real one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SimResult } from '../../sim/result.ts';

/** The fields of sim/simulate.ts's SimulateRequest that studies use. */
export interface SimulateRequest {
  option: string;
  host: string;
  rate_rps: number;
  response_bytes: number;
  /** Overrides such as `host.nic.rx_usecs=0`, `host.rps_cpus=0-17`. */
  set?: string[];
  /** A what-if variant's overrides, named by `label` in the warnings. */
  variant?: { label: string; set: string[] };
  profile?: string;
  requests?: number;
  seed: number;
  replications?: number;
  workers?: number;
  /** Also return each replication's percentiles (for paired differences between points). */
  replication_percentiles?: boolean;
}

export type SimulateFn = (req: SimulateRequest) => Promise<SimResult>;

export class SimulatorMissingError extends Error {
  constructor() {
    super('the simulator (sim/simulate.ts) is not available in this checkout, so no study can run');
    this.name = 'SimulatorMissingError';
  }
}

const SIMULATE_URL = new URL('../../sim/simulate.ts', import.meta.url);
const REPLICATE_URL = new URL('../../sim/engine/replicate.ts', import.meta.url);

export function simulatorAvailable(): boolean {
  return existsSync(fileURLToPath(SIMULATE_URL));
}

export interface Simulator {
  simulate: SimulateFn;
  /** Ends the worker threads; the process cannot exit before. */
  close(): Promise<void>;
}

interface Pool {
  close(): Promise<void>;
}

/**
 * The real simulator with one pool of replication workers (one per core) reused by every point:
 * starting workers costs a few hundred ms, paid once per study instead of once per point.
 */
export async function openSimulator(): Promise<Simulator> {
  if (!simulatorAvailable()) throw new SimulatorMissingError();
  const mod = (await import(SIMULATE_URL.href)) as { simulate?: unknown };
  if (typeof mod.simulate !== 'function') throw new Error('sim/simulate.ts exports no simulate()');
  const simulate = mod.simulate as (req: unknown) => Promise<SimResult>;
  const rep = (await import(REPLICATE_URL.href)) as {
    ReplicationPool?: new (size?: number) => Pool;
  };
  const pool = rep.ReplicationPool ? new rep.ReplicationPool() : null;
  return {
    simulate: (req) => simulate(pool ? { ...req, pool } : req),
    close: async () => {
      await pool?.close();
    },
  };
}

/** A copy of a result without wall-clock fields, for data.json (same seed, same bytes). */
export function withoutWallClock(r: SimResult): SimResult {
  const { wall_s: _wall, ...rest } = r;
  return rest;
}
