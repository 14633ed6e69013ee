import { describe, expect, it } from 'vitest';
import { parseCpuMask as harnessMask } from '../../harness/cpulist.ts';
import { formatCpuList, parseCpuMask } from '../../model/cpu-mask.ts';

describe('parseCpuMask', () => {
  it('reads the study rps_cpus hex mask as CPUs 1-8 and 10-17', () => {
    expect(formatCpuList(parseCpuMask('00000000,0003fdfe'))).toBe('1-8,10-17');
  });
  it('reads the study xps masks as the two NUMA nodes', () => {
    expect(formatCpuList(parseCpuMask('00000000,07fc01ff'))).toBe('0-8,18-26');
    expect(formatCpuList(parseCpuMask('0000000f,f803fe00'))).toBe('9-17,27-35');
  });
  it('reads lists, ranges and empty masks', () => {
    expect(parseCpuMask('1-3,7')).toEqual([1, 2, 3, 7]);
    expect(parseCpuMask('0,9')).toEqual([0, 9]);
    expect(parseCpuMask('')).toEqual([]);
    expect(parseCpuMask('0x3')).toEqual([0, 1]);
  });
  it('reads a sysfs mask padded shorter than 32 bits as hex, as harness host-file does', () => {
    // A 16-CPU host's rps_cpus prints 4 digits: 0003 is CPUs 0 and 1 (it landed on CPU 3).
    expect(parseCpuMask('0003')).toEqual([0, 1]);
    expect(parseCpuMask('0003')).toEqual(harnessMask('0003'));
    expect(parseCpuMask('0010')).toEqual(harnessMask('0010'));
    expect(parseCpuMask('00')).toEqual([]);
    // Lists keep their meaning: no leading zeros there.
    expect(parseCpuMask('3')).toEqual([3]);
    expect(parseCpuMask('10')).toEqual([10]);
    expect(parseCpuMask('0')).toEqual([0]);
    // Only a single padded group: a list with a padded entry stays a list.
    expect(parseCpuMask('1,02')).toEqual([1, 2]);
    expect(parseCpuMask('0,09')).toEqual([0, 9]);
  });
  it('rejects text that is neither', () => {
    expect(() => parseCpuMask('cpu1')).toThrow(/not a CPU list/);
    expect(() => parseCpuMask('5-2')).toThrow(/backwards/);
  });
});
