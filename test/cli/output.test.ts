import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../cli/output.ts';

describe('formatNumber', () => {
  it('prints a value that rounds to zero as 0, never -0', () => {
    expect(formatNumber(-0.3, 0)).toBe('0');
    expect(formatNumber(-0.0004, 3)).toBe('0.000');
    expect(formatNumber(-0.6, 0)).toBe('-1');
    expect(formatNumber(-1.25, 1)).toBe('-1.3');
    expect(formatNumber(0.3, 0)).toBe('0');
  });
});
