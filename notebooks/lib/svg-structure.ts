/**
 * The structure of a chart's SVG, for golden files and render checks: the mark groups in document
 * order with their type, role and number of items. It ignores coordinates, text widths and colours,
 * so it records what was drawn (5 lines, 40 points, 2 axes), not pixels.
 *
 * Both vega's SVG and the d3 heatmap mark their groups `class="mark-<type> role-<role>"` with one
 * child element per item. The parser handles the well-formed SVG those two write (quoted
 * attributes, no CDATA); it is not a general XML parser.
 */

export interface MarkGroup {
  mark: string;
  role: string;
  items: number;
}

interface Node {
  tag: string;
  cls: string;
  children: Node[];
}

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/g;

export function parseSvgTree(svg: string): Node {
  const root: Node = { tag: '#root', cls: '', children: [] };
  const stack: Node[] = [root];
  for (const m of svg.replace(/<!--[\s\S]*?-->/g, '').matchAll(TAG)) {
    const [, closing, tag, attrs, selfClosing] = m;
    if (closing) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const cls = /\sclass\s*=\s*"([^"]*)"/.exec(attrs ?? '')?.[1] ?? '';
    const node: Node = { tag: tag ?? '', cls, children: [] };
    stack[stack.length - 1]!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  return root;
}

export function markGroups(svg: string): MarkGroup[] {
  const out: MarkGroup[] = [];
  const walk = (n: Node) => {
    const m = /(?:^|\s)mark-([\w-]+)\s+role-([\w-]+)/.exec(n.cls);
    if (m) out.push({ mark: m[1] ?? '', role: m[2] ?? '', items: n.children.length });
    for (const c of n.children) walk(c);
  };
  walk(parseSvgTree(svg));
  return out;
}

/** Mark groups that draw data (role `mark`, or the heatmap's `cell`), the ones a chart exists for. */
export function dataMarks(svg: string): MarkGroup[] {
  return markGroups(svg).filter((g) => g.role === 'mark' || g.role === 'cell');
}
