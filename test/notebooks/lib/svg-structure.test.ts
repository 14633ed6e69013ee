import { describe, expect, it } from 'vitest';
import { dataMarks, markGroups } from '../../../notebooks/lib/svg-structure.ts';
import { vegaLiteToSvg } from '../../../notebooks/lib/vega-svg.ts';

describe('markGroups', () => {
  it('finds nested mark groups and counts their items', () => {
    const svg =
      '<svg><g class="mark-group role-frame"><g class="mark-line role-mark marks"><path d="M0,0"/></g>' +
      '<g class="mark-symbol role-mark"><path/><path/><path/></g><!-- <g class="mark-x role-mark"> --></g></svg>';
    expect(markGroups(svg)).toEqual([
      { mark: 'group', role: 'frame', items: 2 },
      { mark: 'line', role: 'mark', items: 1 },
      { mark: 'symbol', role: 'mark', items: 3 },
    ]);
  });

  it('counts one item per datum in a real vega SVG', async () => {
    const svg = await vegaLiteToSvg({
      data: { values: [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' } },
    });
    expect(dataMarks(svg)).toEqual([{ mark: 'symbol', role: 'mark', items: 4 }]);
  });
});
