/**
 * Each option's packet-loss probability from the retransmission tail of its records, in closed
 * form rather than by simulation (a tail fraction of 1e-5 would need millions of simulated requests
 * per evaluation).
 *
 * Mechanism: a request waits for an RTO (>= 200 ms) when one of its data packets is lost. With a
 * loss probability p at a receive stage that every data packet crosses once per host (the option's
 * last RX stage: the request crosses it on the server, the response on the client), the fraction of
 * requests in the tail is f = 1 - (1 - p)^2 ~ 2p for small p; ACK losses are repaired by the next
 * ACK and add no tail.
 *
 * Measurement: each record bounds f (terms.ts tailTarget): the first percentile at or above the RTO
 * threshold gives f >= 1 - q, the one below it f <= 1 - q (max alone: f >= 1 / requests). The
 * estimate is the geometric mean over the option's records of each interval's geometric midpoint,
 * and its sd (log units) a quarter of the log-width of the widest interval (the interval read as
 * +-2 sd). Records whose percentiles all stay below the threshold bound f from above only: when no
 * record of the option shows a tail, p is 0 (no loss parameter is written).
 */
import { loadOption } from '../model/load.ts';
import type { ParamValue } from './fitted-profile.ts';
import type { LabelledRecord } from './records.ts';
import { tailTarget } from './terms.ts';

export interface LossEstimate {
  /** `option.stages.<last rx stage>.loss_probability`. */
  path: string;
  value: ParamValue;
  /** What each record said, for the log. */
  evidence: string[];
}

/** The option's last receive stage, from its model file (injectable for tests with made-up options). */
export function lastRxStage(option: string): string {
  const rx = loadOption(option).stages.rx;
  return rx[rx.length - 1]!.name;
}

export function lossFromTail(
  option: string,
  records: readonly LabelledRecord[],
  rtoThresholdMs: number,
  stageOf: (option: string) => string,
): LossEstimate | null {
  const own = records.filter((lr) => lr.record.option === option);
  const evidence: string[] = [];
  const mids: number[] = [];
  let widest = 0;
  for (const lr of own) {
    const t = tailTarget(lr.record, rtoThresholdMs);
    evidence.push(
      `${lr.file}: tail fraction in [${t.interval.lo.toExponential(1)}, ${t.interval.hi.toExponential(1)}] (${t.from})`,
    );
    if (!(t.interval.lo > 0)) continue;
    mids.push(Math.sqrt(t.interval.lo * t.interval.hi));
    widest = Math.max(widest, Math.log(t.interval.hi / t.interval.lo));
  }
  if (mids.length === 0) return null;
  const f = Math.exp(mids.reduce((s, m) => s + Math.log(m), 0) / mids.length);
  const p = 1 - Math.sqrt(1 - Math.min(f, 0.5));
  const sdLog = widest / 4;
  return {
    path: `option.stages.${stageOf(option)}.loss_probability`,
    value: {
      value: p,
      // First-order: sd of p from the sd of log p.
      sd: p * sdLog,
      interval: [p * Math.exp(-2 * sdLog), Math.min(1, p * Math.exp(2 * sdLog))],
      source: 'closed-form',
      lower: 0,
      upper: 1,
    },
    evidence,
  };
}
