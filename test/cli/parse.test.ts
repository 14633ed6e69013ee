import { describe, expect, it } from 'vitest';
import { InputError } from '../../cli/errors.ts';
import { parseNumber, parseNumberList } from '../../cli/parse.ts';
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

describe('sizes in bytes', () => {
  it("are written in full: 4k would read 4000, not the study's 4 KB (4096)", () => {
    expect(() => parseNumber('--response-bytes', '4k')).toThrow(/write bytes in full.*: 4k would read 4000/);
    expect(() => parseNumberList('--response-bytes', '350,4k')).toThrow(InputError);
    expect(parseNumberList('--response-bytes', '350,4096')).toEqual([350, 4096]);
    expect(parseNumber('--rate', '4k')).toBe(4000); // rates keep their suffixes
  });
});
