/** Small shared pieces of the model schemas. */
import { z } from 'zod';

/** Where a number came from: a published measurement, a kernel fact, or "estimate: why". */
export const Source = z.string().min(1).describe('where the numbers of this group come from');

export const NonNegative = z.number().nonnegative();
export const PositiveInt = z.number().int().positive();
export const NonNegativeInt = z.number().int().nonnegative();

/**
 * A CPU mask: a list (`1-8,10-17`) or a sysfs hex bitmap (`00000000,0003fdfe`); empty means none.
 * A single CPU written as a YAML number (`irq_cpus: 0`) is that CPU, as `--set ...=0` is.
 */
export const CpuMask = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .describe('CPU list (1-8,10-17) or hex mask (00000000,0003fdfe); a single CPU may be a number');

export const CpuClass = z.enum(['hardirq', 'softirq', 'task']);
export type CpuClass = z.infer<typeof CpuClass>;
