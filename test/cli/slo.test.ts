import { describe, expect, it } from 'vitest';
import { parseSlo, parseSlos } from '../../cli/commands/capacity.ts';
import { InputError } from '../../cli/errors.ts';

describe('--slo', () => {
  it('reads a percentile and a limit with its unit, in ms', () => {
    expect(parseSlo('p99=2ms')).toEqual({ key: 'p99', limit_ms: 2 });
    expect(parseSlo('p99.9=500us')).toEqual({ key: 'p99_9', limit_ms: 0.5 });
    expect(parseSlo('p99.999=1.5s')).toEqual({ key: 'p99_999', limit_ms: 1500 });
    expect(parseSlo(' p50 = 0.2ms ')).toEqual({ key: 'p50', limit_ms: 0.2 });
    expect(parseSlo('p99=2MS')).toEqual({ key: 'p99', limit_ms: 2 });
    expect(parseSlo('p99=500µs')).toEqual({ key: 'p99', limit_ms: 0.5 });
  });

  it('refuses a limit without a unit, naming what to add (p99=2 could mean 2 ms or 2 s)', () => {
    expect(() => parseSlo('p99=2')).toThrow(InputError);
    expect(() => parseSlo('p99=2')).toThrow(/needs a unit.*p99=2ms/);
  });

  it('refuses unknown units, percentiles and limits that are not above 0', () => {
    expect(() => parseSlo('p99=2min')).toThrow(/unknown unit 'min'/);
    expect(() => parseSlo('p98=2ms')).toThrow(/percentiles: p50, p90/);
    expect(() => parseSlo('max=2ms')).toThrow(InputError);
    expect(() => parseSlo('p99=0ms')).toThrow(/greater than 0/);
    expect(() => parseSlo('p99=-1ms')).toThrow(/greater than 0/);
    expect(() => parseSlo('p99=1e400ms')).toThrow(/greater than 0/);
  });
});

describe('--slo with several terms', () => {
  it('reads each term, in order', () => {
    expect(parseSlos('p99=2ms,p99.9=10ms')).toEqual([
      { key: 'p99', limit_ms: 2 },
      { key: 'p99_9', limit_ms: 10 },
    ]);
    expect(parseSlos('p50=300us')).toEqual([{ key: 'p50', limit_ms: 0.3 }]);
  });
  it('refuses a percentile given twice and a bad term, naming it', () => {
    expect(() => parseSlos('p99=2ms,p99=1ms')).toThrow(/p99 is given twice/);
    expect(() => parseSlos('p99=2ms,p99.9=10')).toThrow(/needs a unit.*p99\.9=10ms/);
    expect(() => parseSlos('p99=2ms,')).toThrow(InputError);
  });
});
