/**
 * `harness run --lab`: brings up one lab per option, runs every (option, rate, repeat) step in an
 * interleaved order, writes one record per step, and removes the labs (also on Ctrl-C).
 *
 * Interleaving: repeats outermost, then rates, then options, with the options' order rotated on
 * every repeat, so slow drifts of a shared machine fall on every option alike. Maximum-rate steps:
 * a wrk step per option and repeat among them (`max_rate: 'wrk'`), and/or, after them, open-loop
 * maximum-rate searches (`'open-loop'`, runOpenLoopSearches; `'both'` does both).
 */
import {
  CARRIED_RULE,
  type MaxRateSearchConfig,
  type MaxRateSearchState,
  nextOffer,
  observe,
  openLoopVerdict,
  startSearch,
  type Verdict,
} from './max-rate-search.ts';
import { writeRunRecord } from './run-record-io.ts';
import type { RunRecord, Tuning } from './run-record.ts';
import { runLabStep, runLabTcpkaliStep, runLabWrkStep } from './lab-step.ts';
import { type LabState, labDown, labUp, onInterrupt, resolveOption } from './lab/lab.ts';
import { type LabOption, labPrefix } from './lab/layout.ts';
import { fallbackFs, localFs, netnsFs, readTuning } from './tuning/readback.ts';

export interface PlannedStep {
  index: number;
  option: LabOption;
  /** null: a maximum-rate step with wrk (closed loop). */
  rate_rps: number | null;
  repeat: number;
}

export function interleaveSteps(
  options: readonly LabOption[],
  rates: readonly number[],
  repeat: number,
  maxRate = false,
): PlannedStep[] {
  const out: PlannedStep[] = [];
  const all: (number | null)[] = maxRate ? [...rates, null] : [...rates];
  for (let r = 0; r < repeat; r++)
    for (const rate of all)
      for (let k = 0; k < options.length; k++) {
        const option = options[(k + r) % options.length]!;
        out.push({ index: out.length, option, rate_rps: rate, repeat: r });
      }
  return out;
}

/** One item of a lab run, in run order: a planned step, or one repeat's open-loop searches. */
export type RunItem = { kind: 'step'; step: PlannedStep } | { kind: 'searches'; repeat: number };

/**
 * The run order. `by-repeat` (the default): each repeat's steps (interleaveSteps), then that
 * repeat's open-loop searches, repeat after repeat. Why: the lab machine's speed drifts over
 * minutes, and the maximum-rate check compares costs measured in the calibration steps with a
 * maximum measured by the searches; run as two phases (`phases`: all steps, then all searches, the
 * order before 27 Nov 2026) the two fell in different stretches of the drift. In the fourteen
 * recordings made that way, nginx's CPU per request at one rate differed between the calibration
 * steps and the searches' steps at the same rate by a factor 0.91-1.19 (39 cases,
 * docs/calibration.md), and the largest misses of the predicted maximum were where it was largest.
 * Step indices are renumbered later, in the order the steps run (runLab). Searches run in the first
 * `searchRepeats` repeats only (default: every repeat).
 */
export function runOrder(
  steps: readonly PlannedStep[],
  repeat: number,
  searches: boolean,
  order: 'by-repeat' | 'phases',
  searchRepeats = repeat,
): RunItem[] {
  const step = (s: PlannedStep): RunItem => ({ kind: 'step', step: s });
  const search = (r: number): RunItem[] =>
    searches && r < searchRepeats ? [{ kind: 'searches', repeat: r }] : [];
  if (order === 'phases')
    return [...steps.map(step), ...Array.from({ length: repeat }, (_, r) => search(r)).flat()];
  return Array.from({ length: repeat }, (_, r) => [
    ...steps.filter((s) => s.repeat === r).map(step),
    ...search(r),
  ]).flat();
}

export interface LabRunInput {
  options: LabOption[];
  rates: number[];
  /** The open-loop generator: cnisim's own (default) or tcpkali when installed. */
  tcpkali?: { binary: string; version: string };
  /**
   * Maximum-rate steps per option and repeat: `wrk` (or true) one closed-loop wrk step; `open-loop`
   * a search with the open-loop generator (max-rate-search.ts), each step a record; `both`.
   */
  max_rate?: boolean | MaxRateMethod;
  /**
   * The open-loop search's bounds (defaults: start at the highest rate, 2 %, 14 steps, 2 retries of
   * disturbed failures, 420 s per repeat).
   */
  max_rate_search?: OpenLoopSearchBounds;
  repeat: number;
  /**
   * Open-loop searches in the first this many repeats only (default: every repeat): more repeats of
   * the steps for a steadier median p50 without as many searches (bench lab-calibration).
   */
  search_repeats?: number;
  /** Number of the first repeat (default 0): a run taken in parts numbers its repeats on. */
  first_repeat?: number;
  duration_s: number;
  warmup_s: number;
  connections: number;
  response: 'small' | 'large';
  out: string;
  run_id: string;
  tag?: string;
  substitute?: boolean;
  generator_cpus: string;
  nginx_cpus: number[];
  keep_lab?: boolean;
  /** Generator and nginx under SCHED_FIFO 50 (less co-tenant noise; distorts saturating runs). */
  rt?: boolean;
  /**
   * `by-repeat` (default): each repeat's steps, then its open-loop searches; `phases`: all steps,
   * then all searches (the order before 27 Nov 2026). runOrder says why.
   */
  order?: 'by-repeat' | 'phases';
  log: (msg: string) => void;
  progress?: (done: number, total: number, note: string) => void;
}

export type MaxRateMethod = 'wrk' | 'open-loop' | 'both';

export interface OpenLoopSearchBounds extends Partial<MaxRateSearchConfig> {
  /**
   * Wall-clock budget of one repeat's searches (all options, interleaved), s: no step starts that
   * would end after it. Default 420 (fits a lab-lock period of at most 8 minutes).
   */
  time_budget_s?: number;
  /** Measured seconds per search step (default: the run's duration_s). */
  duration_s?: number;
}

export function maxRateMethods(m: LabRunInput['max_rate']): { wrk: boolean; openLoop: boolean } {
  if (m === undefined || m === false) return { wrk: false, openLoop: false };
  if (m === true || m === 'wrk') return { wrk: true, openLoop: false };
  return { wrk: m === 'both', openLoop: true };
}

export interface LabRunOutput {
  records: RunRecord[];
  paths: string[];
  /** Steps that produced no record, with the reason. */
  failed: { step: PlannedStep; error: string }[];
}

function labTuning(state: LabState): { server: Tuning; client: Tuning } {
  const { layout } = state;
  const read = (ns: string, iface: string) =>
    readTuning(fallbackFs(netnsFs(ns), localFs('/')), {
      interfaces: [iface],
      irqView: localFs('/'),
      irqPattern: /^$/,
    });
  return {
    server: read(layout.server.netns, layout.server.interface),
    client: read(layout.client.netns, layout.client.interface),
  };
}

export async function runLab(input: LabRunInput): Promise<LabRunOutput> {
  const methods = maxRateMethods(input.max_rate);
  const steps = interleaveSteps(input.options, input.rates, input.repeat, methods.wrk);
  // Fail before building anything when a driver is missing and no substitute is allowed.
  for (const option of input.options) resolveOption(option, input.substitute ?? false);
  const labs = new Map<LabOption, { state: LabState; tuning: { server: Tuning; client: Tuning } }>();
  const prefixes: string[] = [];
  const cleanup = () => {
    for (const p of prefixes) labDown(p);
  };
  const removeHandler = onInterrupt(cleanup);
  const out: LabRunOutput = { records: [], paths: [], failed: [] };
  try {
    for (const option of input.options) {
      const upOpts: Parameters<typeof labUp>[1] = {
        nginx_cpus: input.nginx_cpus,
        rt: input.rt ?? false,
        log: input.log,
      };
      if (input.tag) upOpts.tag = input.tag;
      if (input.substitute) upOpts.substitute = true;
      // Known to the Ctrl-C handler before the build starts: a lab half built is removed too.
      prefixes.push(labPrefix(resolveOption(option, input.substitute ?? false).used, input.tag ?? 'lab'));
      const state = await labUp(option, upOpts);
      labs.set(option, { state, tuning: labTuning(state) });
    }
    // Indices in run order: the planned steps' and the search steps' share one sequence.
    let next = 0;
    const first = input.first_repeat ?? 0;
    for (const item of runOrder(
      steps,
      input.repeat,
      methods.openLoop,
      input.order ?? 'by-repeat',
      input.search_repeats,
    )) {
      if (item.kind === 'step') next = await runPlannedStep(input, { ...item.step, index: next }, labs, out);
      else
        next = await runOpenLoopSearches(
          { ...input, repeat: 1, first_repeat: first + item.repeat },
          next,
          (o) => labs.get(o)!,
          out,
        );
    }
    input.progress?.(next, next, 'done');
  } finally {
    if (!input.keep_lab) cleanup();
    removeHandler();
  }
  return out;
}

/**
 * One planned step (a rate or a wrk step) run and recorded; returns the next step index. Progress
 * counts the steps run so far in run order (planned and search steps alike): step.index.
 */
async function runPlannedStep(
  input: LabRunInput,
  step: PlannedStep,
  labs: Map<LabOption, { state: LabState; tuning: { server: Tuning; client: Tuning } }>,
  out: LabRunOutput,
): Promise<number> {
  const lab = labs.get(step.option)!;
  input.progress?.(
    step.index,
    step.index + 1,
    `${step.option} ${step.rate_rps ?? 'max (wrk)'} rps #${step.repeat}`,
  );
  try {
    const common = {
      state: lab.state,
      run_id: input.run_id,
      step_index: step.index,
      repeat: step.repeat + (input.first_repeat ?? 0),
      connections: input.connections,
      duration_s: input.duration_s,
      response: input.response,
      generator_cpus: input.generator_cpus,
      tuning: lab.tuning,
    };
    const record =
      step.rate_rps === null
        ? runLabWrkStep(common)
        : input.tcpkali
          ? await runLabTcpkaliStep({ ...common, rate_rps: step.rate_rps, tcpkali: input.tcpkali })
          : await runLabStep({
              ...common,
              rate_rps: step.rate_rps,
              warmup_s: input.warmup_s,
              rt: input.rt ?? false,
            });
    out.paths.push(writeRunRecord(input.out, record));
    out.records.push(record);
    if (!record.valid)
      input.log(
        `step ${step.index} (${step.option} ${step.rate_rps ?? 'max'} rps): INVALID: ${record.invalid_reason}`,
      );
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    input.log(
      `step ${step.index} (${step.option} ${step.rate_rps ?? 'max'} rps) failed, no record written: ${error}`,
    );
    out.failed.push({ step, error });
  }
  return step.index + 1;
}

/**
 * The open-loop maximum-rate searches: per repeat, one search per option, their steps interleaved
 * round-robin (options rotated per repeat, as the other steps) so drifts fall on every option alike.
 * Each step is an ordinary open-loop step (runLabStep) whose record says its verdict and the
 * search's bracket; the last step of a search carries the result. Bounded by the step budget of
 * each search and by a wall-clock budget per repeat (a step that would end after it is not started).
 * `deps` replaces the lab step and the clock (tests drive it with a fake step runner).
 */
export async function runOpenLoopSearches(
  input: LabRunInput,
  firstIndex: number,
  labOf: (option: LabOption) => { state: LabState; tuning: { server: Tuning; client: Tuning } },
  out: LabRunOutput,
  deps: { runStep?: typeof runLabStep; clock?: () => number } = {},
): Promise<number> {
  const runStep = deps.runStep ?? runLabStep;
  const clock = deps.clock ?? Date.now;
  const b = input.max_rate_search ?? {};
  const duration_s = b.duration_s ?? input.duration_s;
  const budget_ms = (b.time_budget_s ?? 420) * 1000;
  // A step: connection set-up, warm-up, window, drain of up to 3 s when the server fell behind.
  const step_ms = (input.warmup_s + duration_s + 4) * 1000;
  const config: MaxRateSearchConfig = {
    start_rps: b.start_rps ?? Math.max(...input.rates),
    rel_tol: b.rel_tol ?? 0.02,
    max_steps: b.max_steps ?? 14,
    max_doublings: b.max_doublings ?? 6,
    granularity_rps: b.granularity_rps ?? 50,
    max_retries: b.max_retries ?? 2,
  };
  let index = firstIndex;
  for (let k0 = 0; k0 < input.repeat; k0++) {
    const r = k0 + (input.first_repeat ?? 0);
    const order = input.options.map((_, k) => input.options[(k + r) % input.options.length]!);
    const searches = order.map((option) => ({
      option,
      id: `${option}-r${r}`,
      state: startSearch(config) as MaxRateSearchState,
      next: null as number | null,
    }));
    const started = clock();
    for (const s of searches) s.next = nextOffer(s.state);
    while (searches.some((s) => s.next !== null)) {
      for (const s of searches) {
        if (s.next === null) continue;
        const offered = s.next;
        const lab = labOf(s.option);
        input.progress?.(index, index + 1, `${s.option} max (open loop) ${offered} rps #${r}`);
        let record: RunRecord | null = null;
        let verdict: Verdict;
        try {
          record = await runStep({
            state: lab.state,
            run_id: input.run_id,
            step_index: index,
            repeat: r,
            rate_rps: offered,
            connections: input.connections,
            duration_s,
            warmup_s: input.warmup_s,
            response: input.response,
            generator_cpus: input.generator_cpus,
            tuning: lab.tuning,
            rt: input.rt ?? false,
          });
          verdict = openLoopVerdict(record);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          verdict = { carried: false, reason: `step failed, no record: ${error}` };
          out.failed.push({ step: { index, option: s.option, rate_rps: offered, repeat: r }, error });
        }
        observe(s.state, offered, verdict);
        const over = clock() - started + step_ms > budget_ms;
        if (over && s.state.phase !== 'done') {
          s.state.phase = 'done';
          s.state.done_reason = `time budget of ${budget_ms / 1000} s spent`;
        }
        s.next = nextOffer(s.state);
        if (record) {
          record.max_rate_search = {
            method: 'open-loop bisection',
            search_id: s.id,
            step: s.state.steps.length - 1,
            rule: CARRIED_RULE,
            verdict: verdict.carried ? 'carried' : 'failed',
            reason: verdict.reason,
            ...(s.state.steps.at(-1)!.retried ? { retried: true } : {}),
            carried_rps: s.state.carried_rps,
            failing_rps: s.state.failing_rps,
            final: s.next === null,
            max_rate_rps: s.next === null ? (s.state.carried_rps ?? 0) : null,
            done_reason: s.next === null ? s.state.done_reason : null,
          };
          out.paths.push(writeRunRecord(input.out, record));
          out.records.push(record);
        }
        input.log(
          `max-rate search ${s.id}: ${offered}/s ${verdict.carried ? 'carried' : 'failed'} (${verdict.reason})${s.next === null ? `; done: ${s.state.carried_rps ?? 0}/s (${s.state.done_reason})` : ''}`,
        );
        index++;
      }
    }
  }
  return index;
}
