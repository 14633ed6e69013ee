/**
 * SVG to PNG with resvg. Only DejaVu fonts exist on these machines (fonts-dejavu-core): naming
 * them as the default and sans-serif family keeps text sans-serif and bold where the SVG asks.
 */
import { Resvg } from '@resvg/resvg-js';

export function svgToPng(svg: string, zoom = 2): Buffer {
  const r = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: zoom },
    background: 'white',
  });
  return r.render().asPng();
}
