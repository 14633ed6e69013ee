/**
 * Task wake-ups, lab against model: how often nginx and the generator slept per second in the lab
 * (their voluntary context switches; in records without them their schedstat timeslices, which
 * also count preemptions: run records' counters.*.server_tasks and client_tasks) beside the
 * simulator's wake-ups of the same tasks (SimResult.task_wakeups_per_s). A diagnostic without a
 * target: the wake-up cost regressions (lab-costs.ts) charge per wake-up, so the model's count
 * decides where that CPU goes.
 */
import type { RunRecord } from '../harness/run-record.ts';
import type { SimResult } from '../sim/result.ts';

export interface TaskWakeups {
  nginx: number;
  /** Null when the records do not sample the generator's task (older harness, tcpkali, wrk). */
  generator: number | null;
}

/**
 * How often the tasks slept per second of a window of `interval_s`: their voluntary switches, or
 * their timeslices in records without them; summed over the tasks. Null without tasks.
 */
export function sleepsPerS(
  tasks: readonly { voluntary_switches?: number; timeslices: number }[] | undefined,
  interval_s: number,
): number | null {
  if (!tasks?.length || !(interval_s > 0)) return null;
  return tasks.reduce((a, t) => a + (t.voluntary_switches ?? t.timeslices), 0) / interval_s;
}

/** Sleeps (or timeslices) per second of the repeats' windows, averaged over repeats; null without schedstat. */
export function labWakeups(records: readonly RunRecord[]): TaskWakeups | null {
  const rows = records.flatMap((r) => {
    const m = r.counters?.machine ?? r.counters?.server;
    const nginx = m ? sleepsPerS(m.server_tasks, m.interval_s) : null;
    if (nginx === null) return [];
    const g = r.counters?.machine?.client_tasks ?? r.counters?.client?.client_tasks;
    return [{ nginx, generator: sleepsPerS(g, m!.interval_s) }];
  });
  if (rows.length === 0) return null;
  const gens = rows.map((x) => x.generator).filter((x): x is number => x !== null);
  return {
    nginx: rows.reduce((a, x) => a + x.nginx, 0) / rows.length,
    generator: gens.length === rows.length ? gens.reduce((a, x) => a + x, 0) / gens.length : null,
  };
}

/** One line: the lab's sleeps (or timeslices) and the model's wake-ups per second, nginx and generator. */
export function describeWakeups(lab: TaskWakeups, model: SimResult['task_wakeups_per_s'] | null): string {
  const n = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(0));
  return `wake-ups per second: nginx lab ${n(lab.nginx)}, model ${n(model?.nginx)}; generator lab ${n(lab.generator)}, model ${n(model?.generator)} (lab: sleeps, or timeslices in older records)`;
}
