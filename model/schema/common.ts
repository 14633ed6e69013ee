/** Small shared pieces of the model schemas. */
import { z } from 'zod';

/** Where a number came from: a published measurement, a kernel fact, or "estimate: why". */
export const Source = z.string().min(1).describe('where the numbers of this group come from');

export const NonNegative = z.number().nonnegative();
export const PositiveInt = z.number().int().positive();
export const NonNegativeInt = z.number().int().nonnegative();

/** A CPU mask: a list (`1-8,10-17`) or a sysfs hex bitmap (`00000000,0003fdfe`); empty means none. */
export const CpuMask = z.string().describe('CPU list (1-8,10-17) or hex mask (00000000,0003fdfe)');

export const CpuClass = z.enum(['hardirq', 'softirq', 'task']);
export type CpuClass = z.infer<typeof CpuClass>;
