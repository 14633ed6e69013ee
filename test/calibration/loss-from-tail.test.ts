/**
 * Loss probabilities from the study's retransmission tails (calibration/loss-from-tail.ts).
 * Expected values follow from the published percentiles alone: flannel-vxlan's p99.99 (6.6 ms) is
 * below the 180 ms threshold and its p99.999 (201.9 ms) above it in both tables, so the tail share f
 * lies in [1e-5, 1e-4], its geometric midpoint is 10^-4.5, and p = 1 - sqrt(1 - f) ~ f / 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastRxStage, lossFromTail } from '../../calibration/loss-from-tail.ts';
import { seedTablesToRecords } from '../../calibration/seed-tables.ts';

const REF = resolve(import.meta.dirname, '../../../shared/reference/seed-study-calibration.json');
const have = existsSync(REF);
if (!have) console.log(`loss-from-tail tests skipped: ${REF} is missing`);

describe.skipIf(!have)('lossFromTail on the study tables', () => {
  const records = () =>
    seedTablesToRecords(JSON.parse(readFileSync(REF, 'utf8'))).map((record, i) => ({
      file: `table-${i}.json`,
      record,
    }));

  it('puts flannel-vxlan at p = 1 - sqrt(1 - 10^-4.5) on its last receive stage', () => {
    const est = lossFromTail('flannel-vxlan', records(), 180, lastRxStage)!;
    const f = 10 ** -4.5;
    expect(est.path).toBe('option.stages.pod_ip_tcp_rcv.loss_probability');
    expect(est.value.value).toBeCloseTo(1 - Math.sqrt(1 - f), 15);
    // The interval [1e-5, 1e-4] read as +-2 sd in log units: sd(log p) = ln(10) / 4.
    expect(est.value.sd! / est.value.value).toBeCloseTo(Math.log(10) / 4, 9);
    expect(est.evidence).toHaveLength(2);
  });

  it('gives no loss to an option whose records show no tail', () => {
    expect(lossFromTail('net-host', records(), 180, lastRxStage)).toBeNull();
    expect(lossFromTail('ipvlan', records(), 180, lastRxStage)).toBeNull();
  });
});
