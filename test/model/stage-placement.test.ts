import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import { builtinOptionIds } from '../../model/load.ts';
import { inputError } from './helpers/input-error.ts';

const base = { workload: { rate_rps: 50_000, response_bytes: 350 } };

describe('where a stage runs and in which class', () => {
  it('the built-in options state what their hand-offs make', () => {
    for (const option of builtinOptionIds()) expect(() => normalize({ ...base, option })).not.toThrow();
  });

  it('a value the interpreter would ignore is refused, naming the value it must have', () => {
    const runsOn = inputError(() =>
      normalize({ ...base, option: 'net-host', set: ['option.stages.ip_tcp_rcv.runs_on=irq'] }),
    );
    expect(runsOn.field).toBe('option.stages.rx.1.runs_on');
    expect(runsOn.reason).toMatch(/is rps here/);
    const cls = inputError(() =>
      normalize({
        ...base,
        option: 'flannel-host-gw',
        set: ['option.stages.pod_ip_output_veth.cls=softirq'],
      }),
    );
    expect(cls.field).toBe('option.stages.tx.1.cls');
    expect(cls.reason).toMatch(/is task here \(in the sending task/);
  });
});
