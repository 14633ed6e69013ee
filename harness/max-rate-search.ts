/**
 * The maximum rate as the simulator defines it: the highest OFFERED rate that an open-loop generator
 * keeps up with and the server carries, found by stepping the rate up and then bisecting. One
 * definition for the lab (harness/lab-run.ts, each step a run record) and the simulator
 * (calibration/lab-max-rate.ts), so the two maxima are comparable.
 *
 * A rate is carried when the generator offered it (not abandoned, at least 99 % of the window's
 * sends written, no backlog beyond its allowance) and the responses came back at >= 97 % of it
 * (`CARRIED_FRACTION`, the simulator's saturation rule in sim/simulate.ts), with no error response.
 *
 * Search (a pure state machine, driven by `nextOffer` / `observe`):
 *   up      start at `start_rps`; while carried, double (at most `max_doublings` times);
 *   down    when the start already fails, halve until a rate is carried (at most `max_doublings`);
 *   bisect  between the highest carried and the lowest failed rate until the bracket is narrower
 *           than `rel_tol` of its upper end (midpoints rounded to `granularity_rps`).
 * A failure the verdict calls disturbed (the server waited for its CPU: something outside the path
 * ran there) moves nothing and the same rate is offered again, at most `max_retries` times per
 * search; after that a disturbed failure counts as a failure.
 * Bounded: at most `max_steps` steps (and the caller's time budget, `stop`); when a bound ends the
 * search early the result is the highest rate carried so far, and `done_reason` says so.
 * Invariant: bracket.carried < bracket.failing whenever both are set (only rates strictly inside the
 * bracket are probed). Cost: O(1) per call; a search takes at most max_steps evaluations.
 */
import type { RunRecord } from './run-record.ts';

/** A rate is carried when at least this fraction of it comes back (sim/simulate.ts `saturated`). */
export const CARRIED_FRACTION = 0.97;
/** The generator offered the rate when it wrote at least this fraction of the window's sends. */
export const OFFERED_FRACTION = 0.99;
/**
 * A failed step is disturbed when the server waited, runnable, for its CPU more than this fraction
 * of the window (schedstat, exact): something else ran on the server's CPU. Measured (26 Nov 2026,
 * 3 quiet repeats of searches, test/calibration/fixtures/lab/max-rate-open-loop): at most 0.016 on
 * any failed step, up to and past saturation (0.09 on two carried steps); in a repeat with
 * co-tenant load, 15 of 28 steps above 0.05, up to 0.22, 0.11-0.18 on the steps that bounded it.
 */
export const DISTURBED_WAIT = 0.05;

export const CARRIED_RULE = `generator offered the rate (>= ${100 * OFFERED_FRACTION} % of the window's sends written, no backlog) and achieved >= ${100 * CARRIED_FRACTION} % of it, no error responses`;

export interface MaxRateSearchConfig {
  start_rps: number;
  /** Stop bisecting when (failing - carried) <= rel_tol x failing. Default 0.02. */
  rel_tol?: number;
  /** Doublings (up) or halvings (down) before giving up. Default 12. */
  max_doublings?: number;
  /** Evaluations at most. Default 40. */
  max_steps?: number;
  /** Bisection midpoints are rounded to a multiple of this. Default 1. */
  granularity_rps?: number;
  /** Disturbed failures offered again, per search, before they count as failures. Default 0. */
  max_retries?: number;
}

export interface Verdict {
  carried: boolean;
  reason: string;
  /** A failure caused by something outside the path (see DISTURBED_WAIT): the rate is offered again. */
  disturbed?: boolean;
}

export interface SearchStep {
  offered_rps: number;
  carried: boolean;
  reason: string;
  /** A disturbed failure that was offered again (it moved nothing). */
  retried: boolean;
}

export interface MaxRateSearchState {
  config: Required<MaxRateSearchConfig>;
  phase: 'up' | 'down' | 'bisect' | 'done';
  /** Highest carried and lowest failed rate seen (null: none yet). */
  carried_rps: number | null;
  failing_rps: number | null;
  /** Reason given by the lowest failed rate. */
  failing_reason: string | null;
  doublings: number;
  retries: number;
  /** The rate to offer again after a disturbed failure. */
  retry_rps: number | null;
  steps: SearchStep[];
  done_reason: string | null;
}

export function startSearch(config: MaxRateSearchConfig): MaxRateSearchState {
  if (!(config.start_rps > 0)) throw new RangeError(`start_rps must be > 0 (got ${config.start_rps})`);
  const c: Required<MaxRateSearchConfig> = {
    rel_tol: 0.02,
    max_doublings: 12,
    max_steps: 40,
    granularity_rps: 1,
    max_retries: 0,
    ...config,
  };
  if (!(c.rel_tol > 0 && c.rel_tol < 1)) throw new RangeError(`rel_tol must be in (0, 1) (got ${c.rel_tol})`);
  return {
    config: c,
    phase: 'up',
    carried_rps: null,
    failing_rps: null,
    failing_reason: null,
    doublings: 0,
    retries: 0,
    retry_rps: null,
    steps: [],
    done_reason: null,
  };
}

function midpoint(s: MaxRateSearchState): number | null {
  const lo = s.carried_rps!;
  const hi = s.failing_rps!;
  if (hi - lo <= s.config.rel_tol * hi) return null;
  const g = s.config.granularity_rps;
  const mid = Math.round((lo + hi) / 2 / g) * g;
  return mid > lo && mid < hi ? mid : null;
}

/** The next rate to offer, or null when the search is done (see `state.done_reason`). */
export function nextOffer(s: MaxRateSearchState): number | null {
  if (s.phase === 'done') return null;
  if (s.steps.length >= s.config.max_steps) {
    s.phase = 'done';
    s.done_reason = `step budget of ${s.config.max_steps} spent`;
    return null;
  }
  if (s.steps.length === 0) return s.config.start_rps;
  if (s.retry_rps !== null) return s.retry_rps;
  if (s.phase === 'up') return s.carried_rps! * 2;
  if (s.phase === 'down') return s.failing_rps! / 2;
  const mid = midpoint(s);
  if (mid === null) {
    s.phase = 'done';
    s.done_reason = `bracket within ${100 * s.config.rel_tol} %`;
  }
  return mid;
}

/** Records the verdict of offering `offered_rps` (the rate nextOffer returned) and advances. */
export function observe(s: MaxRateSearchState, offered_rps: number, v: Verdict): MaxRateSearchState {
  s.retry_rps = null;
  if (!v.carried && v.disturbed && s.retries < s.config.max_retries) {
    s.retries++;
    s.retry_rps = offered_rps;
    s.steps.push({ offered_rps, carried: false, reason: v.reason, retried: true });
    return s;
  }
  s.steps.push({ offered_rps, carried: v.carried, reason: v.reason, retried: false });
  const decided = s.steps.filter((x) => !x.retried).length;
  if (v.carried) {
    if (s.carried_rps === null || offered_rps > s.carried_rps) s.carried_rps = offered_rps;
  } else if (s.failing_rps === null || offered_rps < s.failing_rps) {
    s.failing_rps = offered_rps;
    s.failing_reason = v.reason;
  }
  if (decided === 1) s.phase = v.carried ? 'up' : 'down';
  else if (s.phase === 'up' || s.phase === 'down') {
    const moved = s.phase === 'up' ? v.carried : !v.carried;
    if (moved) s.doublings++;
    else s.phase = 'bisect';
    if (moved && s.doublings >= s.config.max_doublings) {
      s.done_reason =
        s.phase === 'up'
          ? `still carried after ${s.config.max_doublings} doublings`
          : `nothing carried after ${s.config.max_doublings} halvings`;
      s.phase = 'done';
    }
  }
  if (s.phase === 'bisect' && midpoint(s) === null) {
    s.phase = 'done';
    s.done_reason = `bracket within ${100 * s.config.rel_tol} %`;
  }
  return s;
}

/** The result of a search so far: the highest carried rate (0 when none). */
export function searchResult(s: MaxRateSearchState): {
  max_rate_rps: number;
  failing_rps: number | null;
  failing_reason: string | null;
  steps: number;
  done_reason: string | null;
} {
  return {
    max_rate_rps: s.carried_rps ?? 0,
    failing_rps: s.failing_rps,
    failing_reason: s.failing_reason,
    steps: s.steps.length,
    done_reason: s.done_reason,
  };
}

/**
 * Drives a search with an evaluator until it is done or `stop()` says the time budget is spent
 * (checked before each step). The evaluator is the step runner: a simulation, or a lab step.
 */
export async function runSearch(
  config: MaxRateSearchConfig,
  evaluate: (offered_rps: number, step: number) => Promise<Verdict>,
  stop: () => string | null = () => null,
): Promise<MaxRateSearchState> {
  const s = startSearch(config);
  for (let offer = nextOffer(s); offer !== null; offer = nextOffer(s)) {
    const why = stop();
    if (why !== null) {
      s.phase = 'done';
      s.done_reason = why;
      break;
    }
    observe(s, offer, await evaluate(offer, s.steps.length));
  }
  return s;
}

/** The verdict of an open-loop lab step, from its run record alone. */
export function openLoopVerdict(r: RunRecord): Verdict {
  const offered = r.requested_rps;
  if (offered === null || r.generator.loop !== 'open')
    return { carried: false, reason: 'not an open-loop step (no offered rate)' };
  const reason = r.invalid_reason ?? '';
  if (/^generator (failed|abandoned)/.test(reason)) return { carried: false, reason };
  if (/^generator fell behind/.test(reason))
    return { carried: false, reason: `the generator could not offer ${offered}/s: ${reason}` };
  const sent = (r.requests_sent ?? 0) / r.duration_s;
  if (sent < OFFERED_FRACTION * offered)
    return {
      carried: false,
      reason: `the generator offered ${sent.toFixed(0)} of ${offered}/s (< ${100 * OFFERED_FRACTION} %)`,
    };
  if ((r.errors ?? 0) > 0) return { carried: false, reason: `${r.errors} error responses` };
  if (r.achieved_rps < CARRIED_FRACTION * offered) {
    const wait = serverWaitFraction(r);
    const disturbed = wait !== null && wait > DISTURBED_WAIT;
    return {
      carried: false,
      reason: `achieved ${r.achieved_rps.toFixed(0)} of ${offered}/s offered (< ${100 * CARRIED_FRACTION} %)${disturbed ? `; disturbed: the server waited ${(100 * wait).toFixed(0)} % of the window for its CPU` : ''}${reason ? `; ${reason}` : ''}`,
      ...(disturbed ? { disturbed } : {}),
    };
  }
  return {
    carried: true,
    reason: `achieved ${r.achieved_rps.toFixed(0)} of ${offered}/s offered${reason ? ` (record invalid for fitting: ${reason})` : ''}`,
  };
}

/** Fraction of the window the server's workers waited, runnable, for a CPU (schedstat; null without). */
export function serverWaitFraction(r: RunRecord): number | null {
  const m = r.counters?.machine ?? r.counters?.server;
  const tasks = m?.server_tasks;
  if (!m || !tasks?.length || tasks.some((t) => t.wait_ns === undefined)) return null;
  return tasks.reduce((a, t) => a + (t.wait_ns ?? 0), 0) / 1e9 / m.interval_s / tasks.length;
}
