/** The studies by name. Adding a study means adding a file here and a line below. */
import { runCapacity } from './capacity.ts';
import type { Study } from './common.ts';
import { runLabValidation } from './lab-validation.ts';
import { runSeed } from './seed.ts';
import { runWhatIf } from './what-if.ts';

export const STUDIES: Readonly<Record<string, { run: Study; about: string }>> = {
  seed: {
    run: runSeed,
    about: 'the seed study by simulation: five options, 50k-500k requests/s, 350 B and 4 KB',
  },
  capacity: {
    run: runCapacity,
    about: 'highest rate per option under p99/p99.9 SLOs, and hosts needed, with CIs',
  },
  'what-if': {
    run: runWhatIf,
    about: 'RPS, IRQ pinning, coalescing, worker counts and MTU answered by simulation',
  },
  'lab-validation': { run: runLabValidation, about: 'namespace-lab run records against predictions' },
};
