/**
 * A vega-lite spec to an SVG string, headless: vega-lite compiles it to vega, a vega View with no
 * renderer runs the dataflow and `toSVG()` draws it. Cost: about 70-100 ms per chart on these
 * machines. Text widths are estimated (no canvas in Node), so labels can differ by a pixel or two
 * from the browser; structure (marks and their counts) is the same.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export function vegaLiteToVega(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec;
}

export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLiteToVega(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
