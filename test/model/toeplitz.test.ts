import { describe, expect, it } from 'vitest';
import { ipv4, toeplitz, tupleBytes } from '../../model/compile/toeplitz.ts';

// Verification vectors of the Microsoft RSS specification ("Verifying the RSS Hash Calculation"),
// IPv4 with TCP ports, default key.
describe('toeplitz', () => {
  it('matches the RSS specification vectors', () => {
    expect(toeplitz(tupleBytes(ipv4('66.9.149.187'), ipv4('161.142.100.80'), 2794, 1766))).toBe(0x51ccc178);
    expect(toeplitz(tupleBytes(ipv4('199.92.111.2'), ipv4('65.69.140.83'), 14230, 4739))).toBe(0xc626b0ea);
    expect(toeplitz(tupleBytes(ipv4('24.19.198.95'), ipv4('12.22.207.184'), 12898, 38024))).toBe(0x5c2b394a);
  });
});
