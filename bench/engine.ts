/**
 * Engine benchmark: M/M/1 at rho = 0.9 (mean service 1 us) for 10^7 events on one thread, through
 * the engine's public parts: the typed-array event heap, two seeded Alea streams (`createStream`)
 * drawn through `exponentialZiggurat` (`--sampler inversion` uses `exponential`, -log(1 - U): same
 * law, different sample path, ~10 ns more per draw), the FIFO `Queue` resource, and the WASM HDR
 * histogram recording every response time.
 * Prints {"model":"mm1","events":...,"events_per_s":...,"wall_s":...,"rss_mb":...}; wall_s covers the
 * event loop only (setup and module loading excluded), after the simulation's first 10^6 events ran
 * untimed as a JIT warm-up (`--warmup-events`, 0 for the cold figure; see `runMm1`). The numbers depend on the machine and its
 * load: they are measurements, never test assertions.
 *
 * `--model hold --pending N` runs the classic hold model instead (N events always pending, each
 * rescheduling itself after an exponential delay): it isolates the event list at a realistic size
 * (the network simulator keeps hundreds to thousands of timers pending). With `--delays table` the
 * delays come from 65536 exponential draws made before the loop and reused in a cycle, so the
 * figure is the event list and dispatch alone, without the ~20 ns of a seeded exponential draw.
 */
import type { BenchOption } from '../cli/commands/bench.ts';
import { InputError } from '../cli/errors.ts';
import { parseChoice, parseNumber, parsePositive, parsePositiveInt } from '../cli/parse.ts';
import { exponential } from '../sim/engine/distributions/exponential.ts';
import { exponentialZiggurat } from '../sim/engine/distributions/exponential-ziggurat.ts';
import { Histogram } from '../sim/engine/histogram.ts';
import { Queue } from '../sim/engine/queue.ts';
import { createStream } from '../sim/engine/rng.ts';
import { type EventHandler, Simulator } from '../sim/engine/simulator.ts';

export const name = 'engine';
export const describe = 'M/M/1 at rho = 0.9 for 10^7 events on one thread: engine events per second';

export const options: BenchOption[] = [
  { flag: 'events', value: '<n>', description: 'events to simulate (default 1e7)', parse: parsePositiveInt },
  {
    flag: 'rho',
    value: '<load>',
    description: 'server load, 0 < rho < 1 (default 0.9)',
    parse: (flag, raw) => {
      const x = parsePositive(flag, raw);
      if (!(x < 1)) throw new InputError(flag, raw, 'must be below 1 for a stable M/M/1');
      return x;
    },
  },
  {
    flag: 'model',
    value: '<mm1|hold>',
    description: 'mm1 (default) or hold (event list alone)',
    parse: (flag, raw) => parseChoice(flag, raw, ['mm1', 'hold'] as const),
  },
  {
    flag: 'pending',
    value: '<n>',
    description: 'hold model: events kept pending (default 1000)',
    parse: parsePositiveInt,
  },
  {
    flag: 'delays',
    value: '<rng|table>',
    description: 'hold model: draw each delay (rng, default) or cycle a pre-drawn table (event list alone)',
    parse: (flag, raw) => parseChoice(flag, raw, ['rng', 'table'] as const),
  },
  {
    flag: 'sampler',
    value: '<ziggurat|inversion>',
    description: 'exponential sampler: exponentialZiggurat (default) or exponential (inversion, -log)',
    parse: (flag, raw) => parseChoice(flag, raw, ['ziggurat', 'inversion'] as const),
  },
  {
    flag: 'warmup-events',
    value: '<n>',
    description: 'mm1: untimed events run first for the JIT (default 1e6; 0 = cold)',
    parse: (flag, raw) => {
      const x = parseNumber(flag, raw);
      if (!Number.isInteger(x) || x < 0) throw new InputError(flag, raw, 'must be a whole number >= 0');
      return x;
    },
  },
  {
    flag: 'seed',
    value: '<n>',
    description: 'random seed (default 1)',
    parse: (flag, raw) => {
      const x = parseNumber(flag, raw);
      if (!Number.isInteger(x)) throw new InputError(flag, raw, 'must be a whole number');
      return x;
    },
  },
];

export interface EngineBenchOptions {
  json?: boolean;
  model?: 'mm1' | 'hold';
  pending?: number;
  delays?: 'rng' | 'table';
  events?: number;
  rho?: number;
  seed?: number;
  sampler?: Sampler;
  warmupEvents?: number;
}

export type Sampler = 'ziggurat' | 'inversion';

/** Untimed warm-up before the timed M/M/1 run (see `runMm1`). */
export const DEFAULT_WARMUP_EVENTS = 1_000_000;

function expSampler(sampler: Sampler): typeof exponential {
  return sampler === 'ziggurat' ? exponentialZiggurat : exponential;
}

export interface EngineBenchResult {
  model: 'mm1';
  events: number;
  events_per_s: number;
  wall_s: number;
  /** CPU time of this process during the loop: on a shared machine wall_s also counts time spent waiting for a core. */
  cpu_s: number;
  events_per_cpu_s: number;
  rss_mb: number;
  rho: number;
  seed: number;
  sampler: Sampler;
  /** Events of the same simulation run untimed before the timed ones (JIT warm-up). */
  warmup_events: number;
  mean_response_us: number;
  theory_mean_response_us: number;
}

/**
 * M/M/1 at `rho` with mean service 1 us. The first `warmupEvents` events run untimed, then the next
 * `events` are timed, in the same simulation: V8 compiles the hot loop in tiers during the first
 * ~10^5-10^6 events, and a 10^7-event run lasting half a second would otherwise count that
 * compilation as simulation time (measured, same machine and minute: 10^7 events cold 18.5-19.6 M/s,
 * 3 x 10^7 cold 20.5 M/s). A warm-up on separate objects does not work: new closures make the call
 * sites polymorphic and the timed run slower (measured 17.1-17.5 M/s). `--warmup-events 0` gives the
 * cold figure. The mean response time covers every event, warm-up included.
 */
export function runMm1(
  events: number,
  rho: number,
  seed: number,
  sampler: Sampler = 'ziggurat',
  warmupEvents = DEFAULT_WARMUP_EVENTS,
): EngineBenchResult {
  if (!Number.isInteger(events) || events < 1)
    throw new RangeError(`events must be a whole number >= 1 (got ${events})`);
  if (!(rho > 0 && rho < 1)) throw new RangeError(`rho must be in (0, 1) for a stable M/M/1 (got ${rho})`);
  if (!Number.isInteger(warmupEvents) || warmupEvents < 0)
    throw new RangeError(`warmupEvents must be a whole number >= 0 (got ${warmupEvents})`);
  const mean_service_ns = 1000;
  const sim = new Simulator();
  const exp = expSampler(sampler);
  const gap = exp(createStream(seed, 0, 'arrivals'), rho / mean_service_ns);
  const svc = exp(createStream(seed, 0, 'service'), 1 / mean_service_ns);
  const response = new Histogram();
  const queue = new Queue(sim, 1, {
    departed(_token, arrived) {
      response.record(sim.now_ns - arrived);
    },
  });
  const arrivals: EventHandler = {
    handle() {
      queue.arrive(svc(), 0);
      sim.schedule(gap(), kind, 0, 0);
    },
  };
  const kind = sim.register(arrivals);
  sim.schedule(gap(), kind, 0, 0);
  if (warmupEvents > 0) sim.run({ max_events: warmupEvents });
  const before = sim.events;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  sim.run({ max_events: events });
  const cpu = process.cpuUsage(c0);
  const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  const timed = sim.events - before;
  const result: EngineBenchResult = {
    model: 'mm1',
    events: timed,
    events_per_s: Math.round(timed / wall_s),
    wall_s: Number(wall_s.toFixed(3)),
    cpu_s: Number(cpu_s.toFixed(3)),
    events_per_cpu_s: Math.round(timed / cpu_s),
    rss_mb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
    rho,
    seed,
    sampler,
    warmup_events: before,
    mean_response_us: Number((response.mean / 1000).toFixed(3)),
    theory_mean_response_us: Number((mean_service_ns / (1 - rho) / 1000).toFixed(3)),
  };
  response.destroy();
  return result;
}

export interface HoldBenchResult {
  model: 'hold';
  events: number;
  pending: number;
  delays: 'rng' | 'table';
  events_per_s: number;
  wall_s: number;
  cpu_s: number;
  events_per_cpu_s: number;
  rss_mb: number;
  seed: number;
  sampler: Sampler;
}

/** Size of the pre-drawn delay table (a power of two, so the cycle index is a mask). */
const DELAY_TABLE = 1 << 16;

export function runHold(
  events: number,
  pending: number,
  seed: number,
  delays: 'rng' | 'table' = 'rng',
  sampler: Sampler = 'ziggurat',
): HoldBenchResult {
  if (!Number.isInteger(pending) || pending < 1)
    throw new RangeError(`pending must be a whole number >= 1 (got ${pending})`);
  const sim = new Simulator();
  const draw = expSampler(sampler)(createStream(seed, 0, 'hold'), 1 / 1000);
  let delay = draw;
  if (delays === 'table') {
    const table = Float64Array.from({ length: DELAY_TABLE }, draw);
    let next = 0;
    delay = () => table[next++ & (DELAY_TABLE - 1)]!;
  }
  const hold: EventHandler = {
    handle(a) {
      sim.schedule(delay(), kind, a, 0);
    },
  };
  const kind = sim.register(hold);
  for (let i = 0; i < pending; i++) sim.schedule(delay(), kind, i, 0);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  sim.run({ max_events: events });
  const cpu = process.cpuUsage(c0);
  const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  return {
    model: 'hold',
    events: sim.events,
    pending,
    delays,
    events_per_s: Math.round(sim.events / wall_s),
    wall_s: Number(wall_s.toFixed(3)),
    cpu_s: Number(cpu_s.toFixed(3)),
    events_per_cpu_s: Math.round(sim.events / cpu_s),
    rss_mb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
    seed,
    sampler,
  };
}

export async function run(
  opts: EngineBenchOptions = { json: false },
): Promise<EngineBenchResult | HoldBenchResult> {
  if (opts.model === 'hold' && opts.warmupEvents !== undefined)
    throw new InputError('--warmup-events', opts.warmupEvents, 'applies only to --model mm1');
  if (opts.model === 'hold')
    return runHold(
      opts.events ?? 1e7,
      opts.pending ?? 1000,
      opts.seed ?? 1,
      opts.delays ?? 'rng',
      opts.sampler ?? 'ziggurat',
    );
  if (opts.pending !== undefined)
    throw new InputError('--pending', opts.pending, 'applies only to --model hold');
  if (opts.delays !== undefined)
    throw new InputError('--delays', opts.delays, 'applies only to --model hold');
  return runMm1(
    opts.events ?? 1e7,
    opts.rho ?? 0.9,
    opts.seed ?? 1,
    opts.sampler ?? 'ziggurat',
    opts.warmupEvents ?? DEFAULT_WARMUP_EVENTS,
  );
}
