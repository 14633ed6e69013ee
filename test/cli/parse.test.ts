import { describe, expect, it } from 'vitest';
import { parseNumberList } from '../../cli/parse.ts';
import { optionList } from '../../cli/commands/sweep.ts';

describe('lists on the command line', () => {
  it('refuses an empty entry, and in a grid a value or option listed twice', () => {
    expect(parseNumberList('--rates', '10k,20k')).toEqual([10_000, 20_000]);
    expect(() => parseNumberList('--rates', '10k,,20k')).toThrow(/--rates: an empty entry/);
    expect(() => parseNumberList('--rates', '10k,20k,')).toThrow(/an empty entry/);
    expect(parseNumberList('--rates', '10k,10k')).toEqual([10_000, 10_000]); // repeats, where they mean something
    expect(() => parseNumberList('--rates', '10k,10k', { unique: true })).toThrow(/10000 is listed twice/);
    expect(() => optionList('ipvlan,net-host,ipvlan')).toThrow(/--options: ipvlan is listed twice/);
    expect(() => optionList('ipvlan,,net-host')).toThrow(/--options: an empty entry/);
  });
});
