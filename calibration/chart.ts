/**
 * The validation chart of `cnisim validate`: predicted against measured latency for every record
 * and percentile, on log axes, with the 95 % prediction interval as a vertical bar and the line of
 * perfect agreement. It is the reports' predicted-vs-measured chart (notebooks/charts) fed with
 * the validation rows, rendered to SVG headless (no browser, no network).
 */
import type { TopLevelSpec } from 'vega-lite';
import { predictedVsMeasuredSpec } from '../notebooks/charts/predicted-vs-measured.ts';
import { vegaLiteToSvg } from '../notebooks/lib/vega-svg.ts';
import type { ValidationReport } from './validate.ts';

export function validationChartSpec(
  report: ValidationReport,
  title = 'cnisim validate: predicted vs measured (95 % prediction intervals)',
): TopLevelSpec {
  const points = report.rows.flatMap((r) =>
    r.predicted_ms === null || !(r.measured_ms > 0)
      ? []
      : [
          {
            option: r.option,
            percentile: r.percentile,
            rate_rps: r.rate_rps,
            measured_ms: r.measured_ms,
            predicted_ms: r.predicted_ms,
            ci_lo_ms: r.pi95_ms?.[0] ?? r.predicted_ms,
            ci_hi_ms: r.pi95_ms?.[1] ?? r.predicted_ms,
          },
        ],
  );
  return predictedVsMeasuredSpec(points, title);
}

export const renderSvg = vegaLiteToSvg;
