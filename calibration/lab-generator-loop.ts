/**
 * The lab generator's event loop: where in time it spends what the CPU counters say it costs per
 * request and per wake-up (lab-costs.ts), which the counters do not say:
 *
 * - `host.apps.tcpkali.send_timer.slack_ns`: how late each re-armed tick comes beyond the burst and
 *   the timer's delay (Node's timer lateness); more slack, fewer ticks per second. Found here, by
 *   bisection against the lab's ticks per second at the lowest calibration rate (monotone: a later
 *   timer, a longer period). Cost: steps + 2 simulations.
 * - `host.apps.tcpkali.wakeup_cost_after_share` (WAKE_SHARE_PARAM): the share of the cost per
 *   wake-up spent after the loop's work, before it sleeps (the rest comes before its first read or
 *   write). The part before delays the reads, and the responses that arrive meanwhile are read in
 *   the same wake-up; the part after keeps the loop awake while more arrive. The wake-up count does
 *   not pin it (measured, net-host at 4000/s, 79 us per wake-up: 1768 / 1836 / 1000 wake-ups per
 *   second at shares 0 / 0.5 / 1, not monotone), so it is fitted with the percentiles
 *   (lab-acceptance.ts), and the wake-ups are a diagnostic (wakeups.ts).
 * Without the counts (older records) neither is fitted.
 */

import type { ParamSpec } from './params.ts';

export const SLACK_PATH = 'host.apps.tcpkali.send_timer.slack_ns';
export const WAKE_SHARE_PATH = 'host.apps.tcpkali.wakeup_cost_after_share';

export const WAKE_SHARE_PARAM: ParamSpec = {
  path: WAKE_SHARE_PATH,
  lower: 0,
  upper: 1,
  init: 0.5,
  group: 'tail',
  scope: 'host',
  doc: "the share of the generator's cost per wake-up spent after its work, before it sleeps",
};

/** Upper bound of the slack searched, ns: a timer a whole millisecond late is beyond what the lab shows. */
export const MAX_SLACK_NS = 1_000_000;

export interface SlackFit {
  slack_ns: number;
  model_ticks_per_s: number;
  lab_ticks_per_s: number;
  evaluations: number;
}

/**
 * Bisection of a count that falls as x rises from lo to hi: the evaluated x whose count is closest
 * to `target`. `f` returns the count at x.
 */
export async function bisectFalling(
  f: (x: number) => Promise<number>,
  target: number,
  lo: number,
  hi: number,
  steps: number,
): Promise<{ x: number; value: number; evaluations: number }> {
  let best = { x: lo, value: await f(lo) };
  let evaluations = 1;
  const consider = (x: number, value: number) => {
    if (Math.abs(value - target) < Math.abs(best.value - target)) best = { x, value };
  };
  if (best.value > target) {
    const top = await f(hi);
    evaluations++;
    consider(hi, top);
    if (top < target) {
      let a = lo;
      let b = hi;
      for (let i = 0; i < steps; i++) {
        const mid = (a + b) / 2;
        const v = await f(mid);
        evaluations++;
        consider(mid, v);
        if (v > target) a = mid;
        else b = mid;
      }
    }
  }
  return { ...best, evaluations };
}

/**
 * The slack at which the model's send loop ticks as often as the lab's. `ticksAt(slack_ns)`: the
 * model's ticks per second at the calibration rate with that slack.
 */
export async function fitSlack(
  ticksAt: (slack_ns: number) => Promise<number>,
  labTicks: number,
  steps = 7,
): Promise<SlackFit> {
  const r = await bisectFalling(ticksAt, labTicks, 0, MAX_SLACK_NS, steps);
  return {
    slack_ns: Math.round(r.x),
    model_ticks_per_s: r.value,
    lab_ticks_per_s: labTicks,
    evaluations: r.evaluations,
  };
}
