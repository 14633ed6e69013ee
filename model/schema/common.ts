/** Small shared pieces of the model schemas. */
import { z } from 'zod';

/** Where a number came from: a published measurement, a kernel fact, or "estimate: why". */
export const Source = z.string().min(1).describe('where the numbers of this group come from');

export const NonNegative = z.number().nonnegative();
export const PositiveInt = z.number().int().positive();
export const NonNegativeInt = z.number().int().nonnegative();

/** A CPU mask: a list (`1-8,10-17`) or a sysfs hex bitmap (`00000000,0003fdfe`); empty means none. */
export const CpuMask = z
  .string({
    // YAML reads an unquoted 0010 as 10 and 0x3 as 3: a number cannot say which CPUs were meant.
    error: (i) =>
      typeof i.input === 'number'
        ? 'a CPU list or mask is text: quote it ("0", "0003"), as YAML reads an unquoted 0010 as the number 10'
        : undefined,
  })
  .describe('CPU list (1-8,10-17) or hex mask (00000000,0003fdfe)');

export const CpuClass = z.enum(['hardirq', 'softirq', 'task']);
export type CpuClass = z.infer<typeof CpuClass>;
