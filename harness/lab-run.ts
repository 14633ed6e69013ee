/**
 * `harness run --lab`: brings up one lab per option, runs every (option, rate, repeat) step in an
 * interleaved order, writes one record per step, and removes the labs (also on Ctrl-C).
 *
 * Interleaving: repeats outermost, then rates, then options, with the options' order rotated on
 * every repeat, so slow drifts of a shared machine fall on every option alike.
 */
import { writeRunRecord } from './run-record-io.ts';
import type { RunRecord, Tuning } from './run-record.ts';
import { runLabStep, runLabTcpkaliStep, runLabWrkStep } from './lab-step.ts';
import { type LabState, labDown, labUp, onInterrupt, resolveOption } from './lab/lab.ts';
import type { LabOption } from './lab/layout.ts';
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

export interface LabRunInput {
  options: LabOption[];
  rates: number[];
  /** The open-loop generator: cnisim's own (default) or tcpkali when installed. */
  tcpkali?: { binary: string; version: string };
  /** Add one wrk maximum-rate step per option and repeat. */
  max_rate?: boolean;
  repeat: number;
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
  log: (msg: string) => void;
  progress?: (done: number, total: number, note: string) => void;
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
  const steps = interleaveSteps(input.options, input.rates, input.repeat, input.max_rate ?? false);
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
      const state = await labUp(option, upOpts);
      prefixes.push(state.layout.prefix);
      labs.set(option, { state, tuning: labTuning(state) });
    }
    for (const step of steps) {
      const lab = labs.get(step.option)!;
      input.progress?.(
        step.index,
        steps.length,
        `${step.option} ${step.rate_rps ?? 'max (wrk)'} rps #${step.repeat}`,
      );
      try {
        const common = {
          state: lab.state,
          run_id: input.run_id,
          step_index: step.index,
          repeat: step.repeat,
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
    }
    input.progress?.(steps.length, steps.length, 'done');
  } finally {
    if (!input.keep_lab) cleanup();
    removeHandler();
  }
  return out;
}
