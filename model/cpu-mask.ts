/**
 * CPU masks as the kernel and the study write them: lists (`1-8,10-17`, `0,9`) or hexadecimal
 * bitmaps in sysfs form (`00000000,0003fdfe`: 32-bit words, most significant first, as in
 * /sys/class/net/<dev>/queues/rx-<n>/rps_cpus, also padded shorter: `0003`). The empty string,
 * `none` and a zero mask mean "no CPUs".
 * Returns sorted, de-duplicated CPU numbers. Pure; throws RangeError naming the text on bad syntax.
 */
export function parseCpuMask(text: string): number[] {
  const s = text.trim();
  if (s === '' || s === 'none') return [];
  const set = new Set<number>();
  const hexLike = /^(0x)?[0-9a-fA-F]+(,[0-9a-fA-F]+)*$/.test(s);
  // Hex: a 0x prefix, a digit a-f, a 32-bit group of 8 digits, or a single group with a leading
  // zero (sysfs pads a mask to the host's CPU count: `0003` on a 16-CPU host is CPUs 0 and 1; a CPU
  // list never writes `0003`, while `1,02` is read as the list it looks like). A lone `0` stays CPU 0 (sysfs' "no CPUs" on a host of 4 CPUs or fewer:
  // write `none` or `00`).
  const groups = s.split(',');
  if (
    hexLike &&
    (s.startsWith('0x') ||
      /[a-fA-F]/.test(s) ||
      groups.some((w) => w.length === 8) ||
      (groups.length === 1 && /^0\d+$/.test(s)))
  ) {
    const words = s.replace(/^0x/, '').split(',').reverse();
    words.forEach((w, wi) => {
      // Each comma-separated group is one 32-bit word (sysfs) except a lone 0x value, split by nibbles.
      const digits = w.split('').reverse();
      digits.forEach((d, di) => {
        const v = Number.parseInt(d, 16);
        for (let bit = 0; bit < 4; bit++) if (v & (1 << bit)) set.add(wi * 32 + di * 4 + bit);
      });
    });
    return [...set].sort((a, b) => a - b);
  }
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new RangeError(`not a CPU list or hex mask: ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new RangeError(`range ${part.trim()} runs backwards in ${JSON.stringify(text)}`);
    if (hi - lo > 4096) throw new RangeError(`range ${part.trim()} is too large in ${JSON.stringify(text)}`);
    for (let c = lo; c <= hi; c++) set.add(c);
  }
  return [...set].sort((a, b) => a - b);
}

/** Formats CPU numbers as a compact list (`1-8,10-17`). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
