/**
 * `cnisim report <file>`: a sweep (or any saved simulate results) as an HTML report like the
 * studies': every point in a table (achieved rate, p50 to p99.99 with the p99 interval, or where it
 * saturated), p50 and p99 against offered rate per option and response size with each option's
 * knee, and the knees and first bottlenecks. Nothing is simulated: the report shows the saved
 * results as they are. Options measured on several hosts are told apart as `<option>@<host>`.
 */
import { basename } from 'node:path';
import { VERSION } from '../cli/version.ts';
import type { PercentileKey, SimResult } from '../sim/result.ts';
import { type Knee, latencyVsRateSpec, type RatePoint } from './charts/latency-vs-rate.ts';
import { responseLabel } from './charts/theme.ts';
import { findKnee, KNEE_COLUMNS, kneeCells } from './lib/knee.ts';
import type { SweepResults } from './lib/sweep-results.ts';
import type { Block, Report, Table } from './lib/types.ts';

export function sweepReport(source: string, read: SweepResults): { report: Report; knees: Table } {
  const results = [...read.results].sort(
    (a, b) =>
      a.response_bytes - b.response_bytes || a.option.localeCompare(b.option) || a.rate_rps - b.rate_rps,
  );
  const hosts = [...new Set(results.map((r) => r.host))];
  const series = (r: SimResult) => (hosts.length > 1 ? `${r.option}@${r.host}` : r.option);
  const names = [...new Set(results.map(series))];
  const sizes = [...new Set(results.map((r) => r.response_bytes))].sort((a, b) => a - b);
  const lat = (r: SimResult, k: PercentileKey) => (r.saturated || !r.latency_ms ? null : r.latency_ms[k]);

  const points: Table = {
    id: 'points',
    caption: 'Every point: offered and achieved rate, latency percentiles (ms), or where it saturated',
    columns: [
      { key: 'response_bytes', header: 'response_bytes' },
      { key: 'option', header: 'option' },
      { key: 'rate_rps', header: 'rate_rps' },
      { key: 'achieved_rps', header: 'achieved_rps' },
      { key: 'p50', header: 'p50_ms', digits: 3 },
      { key: 'p99', header: 'p99_ms', digits: 3 },
      { key: 'p99_ci', header: 'p99_ci95_ms' },
      { key: 'p99_9', header: 'p99_9_ms', digits: 3 },
      { key: 'p99_99', header: 'p99_99_ms', digits: 3 },
      { key: 'status', header: 'status' },
    ],
    rows: results.map((r) => {
      const ci = r.saturated ? null : r.latency_ci95_ms?.p99;
      return {
        response_bytes: r.response_bytes,
        option: series(r),
        rate_rps: r.rate_rps,
        achieved_rps: r.achieved_rps,
        p50: lat(r, 'p50'),
        p99: lat(r, 'p99'),
        p99_ci: ci ? `${ci[0].toFixed(3)}-${ci[1].toFixed(3)}` : null,
        p99_9: lat(r, 'p99_9'),
        p99_99: lat(r, 'p99_99'),
        status: r.saturated ? `saturated (${r.bottleneck ?? 'unknown'})` : 'ok',
      };
    }),
  };

  // One series per option (and host) and response size, in results order; each read once.
  const groups = sizes
    .flatMap((size) =>
      names.map((name) => ({
        name,
        size,
        own: results.filter((r) => series(r) === name && r.response_bytes === size),
      })),
    )
    .filter((g) => g.own.length > 0);
  const curveOf = (g: (typeof groups)[number], k: PercentileKey) =>
    g.own.map((r) => ({ rate_rps: r.rate_rps, latency_ms: lat(r, k), saturated: r.saturated }));
  const kneeOf = (g: (typeof groups)[number], k: PercentileKey) =>
    g.own.length >= 2 ? findKnee(curveOf(g, k)) : null;
  const curve = (k: PercentileKey): { points: RatePoint[]; knees: Knee[] } => ({
    points: groups.flatMap((g) =>
      curveOf(g, k).map((p) => ({ option: g.name, response_bytes: g.size, ...p })),
    ),
    knees: groups.flatMap((g) => {
      const knee = kneeOf(g, k);
      return knee
        ? [{ option: g.name, response_bytes: g.size, knee_rps: knee.knee_rps, latency_ms: knee.latency_ms }]
        : [];
    }),
  });
  const p99 = curve('p99');
  const p50 = curve('p50');

  const knees: Table = {
    id: 'knees',
    caption:
      'Knee of each option (highest rate whose p99 stays within 2x the p99 at its lowest rate), highest unsaturated rate, first bottleneck',
    columns: [...KNEE_COLUMNS],
    rows: groups.map((g) => {
      const k = kneeOf(g, 'p99');
      const ok = g.own.filter((r) => !r.saturated).map((r) => r.rate_rps);
      const sat = g.own.find((r) => r.saturated);
      return {
        option: g.name,
        response_bytes: g.size,
        ...kneeCells(k, g.own.length),
        p99_at_knee_ms: k?.latency_ms ?? null,
        max_unsaturated_rps: ok.length > 0 ? Math.max(...ok) : null,
        first_bottleneck: sat ? `${sat.bottleneck ?? 'unknown'} at ${sat.rate_rps}` : 'none in the sweep',
      };
    }),
  };

  const seeds = [...new Set(results.map((r) => r.seed))];
  const reps = [...new Set(results.map((r) => r.replications ?? 1))];
  const measured = results.map((r) => r.requests);
  const profiles = [...new Set(results.map((r) => r.profile ?? null))];
  const blocks: Block[] = [
    {
      kind: 'text',
      markdown: [
        `${results.length} simulated point(s) read from \`${basename(source)}\`: ${names.length} option(s) (${names.join(', ')}) on ${hosts.map((h) => `\`${h}\``).join(', ')}, ${sizes.map(responseLabel).join(' and ')} responses, ${Math.min(...results.map((r) => r.rate_rps)).toLocaleString('en-US')} to ${Math.max(...results.map((r) => r.rate_rps)).toLocaleString('en-US')} requests/s offered.`,
        '',
        `- Nothing was simulated for this report: it shows the saved results. Seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}; ${reps.join(' or ')} replications; ${Math.min(...measured).toLocaleString('en-US')} to ${Math.max(...measured).toLocaleString('en-US')} requests measured per point.`,
        ...(read.settings
          ? [`- Sweep settings (from the log's header): \`${JSON.stringify(read.settings)}\`.`]
          : []),
        ...read.notes.map((n) => `- ${n}`),
      ].join('\n'),
    },
    { kind: 'heading', text: 'Latency against rate, and the knee' },
    {
      kind: 'vega-lite',
      id: 'p99-vs-rate',
      caption: 'p99 against offered rate per option; diamond: the knee; cross: saturated',
      spec: latencyVsRateSpec(p99.points, p99.knees, 'p99'),
    },
    {
      kind: 'vega-lite',
      id: 'p50-vs-rate',
      caption: 'p50 against offered rate per option; diamond: where p50 doubled; cross: saturated',
      spec: latencyVsRateSpec(p50.points, p50.knees, 'p50'),
    },
    { kind: 'table', table: knees },
    { kind: 'heading', text: 'Every point' },
    { kind: 'table', table: points },
  ];
  const report: Report = {
    meta: {
      study: 'sweep',
      title: `Sweep report: ${basename(source)}`,
      seed: seeds[0] ?? 0,
      version: VERSION,
      profile: profiles.map((p) => p ?? 'built-in costs').join(', '),
      precision: `As saved: ${Math.min(...measured).toLocaleString('en-US')} to ${Math.max(...measured).toLocaleString('en-US')} requests measured per point in ${reps.join(' or ')} replications; each point's 95 % intervals are in data.json (the p99 one in the table).`,
      quick: false,
    },
    blocks,
    data: { source: basename(source), settings: read.settings, results },
  };
  return { report, knees };
}
