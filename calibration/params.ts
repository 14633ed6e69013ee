/**
 * Free parameters of a calibration: which `--set` paths are fitted, over which range, and at which
 * step. Groups follow the order of the fit:
 *   base  - base and wake-up latency (fitted first, from the low percentiles at the lowest rate)
 *   tail  - service-time spread and host stalls (fitted with everything, from the higher percentiles)
 *   drop  - drop behaviour (fitted from the fraction of requests that waited for a retransmission)
 * Scope: `host` parameters are shared by every option and fitted on the reference option's records
 * (net-host when present); `option` parameters are fitted per option with the host's held fixed.
 */
import { z } from 'zod';

export const ParamSpec = z
  .object({
    path: z.string().min(1),
    lower: z.number(),
    upper: z.number(),
    /** Starting value; default the (geometric, when log) middle of the bounds. */
    init: z.number().optional(),
    log: z.boolean().optional(),
    /** The model takes whole numbers here (a queue length): the search is continuous, the value passed is rounded. */
    integer: z.boolean().optional(),
    /**
     * Fitted only when the stage's loss holds a percentile at or above this quantile (host stalls
     * shape p99.99 and beyond): with fewer simulated requests the parameter would only drift on a
     * flat loss, so it is held at its starting value and reported as not fitted.
     */
    needs_quantile: z.number().gt(0).lte(1).optional(),
    group: z.enum(['base', 'tail', 'drop']),
    scope: z.enum(['host', 'option']),
    /** Options an `option`-scope parameter applies to; default all. */
    options: z.array(z.string()).optional(),
    doc: z.string().optional(),
  })
  .strict()
  .refine((p) => p.upper > p.lower, { message: 'upper must be greater than lower', path: ['upper'] })
  .refine((p) => !p.log || p.lower > 0, { message: 'log-scaled bounds must be > 0', path: ['lower'] })
  .refine((p) => p.init === undefined || (p.init >= p.lower && p.init <= p.upper), {
    message: 'init must lie within the bounds',
    path: ['init'],
  });
export type ParamSpec = z.infer<typeof ParamSpec>;

export const ParamSpecList = z.array(ParamSpec).min(1);

export function initialValue(p: ParamSpec): number {
  if (p.init !== undefined) return p.init;
  return p.log ? Math.sqrt(p.lower * p.upper) : (p.lower + p.upper) / 2;
}

export function appliesTo(p: ParamSpec, option: string): boolean {
  return p.scope === 'host' || p.options === undefined || p.options.includes(option);
}
