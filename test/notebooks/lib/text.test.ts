import { describe, expect, it } from 'vitest';
import { jsonForScript, scriptForInline } from '../../../notebooks/lib/escape.ts';
import { markdownToHtml } from '../../../notebooks/lib/markdown-inline.ts';
import { tableToHtml, tableToMarkdown, tableToText } from '../../../notebooks/lib/table-render.ts';
import type { Table } from '../../../notebooks/lib/types.ts';

describe('markdownToHtml', () => {
  it('renders paragraphs, lists, code and bold, and escapes everything else', () => {
    const html = markdownToHtml('Hello **world** `a<b>`\n\n- one\n- two <script>');
    expect(html).toBe(
      '<p>Hello <strong>world</strong> <code>a&lt;b&gt;</code></p>\n<ul><li>one</li><li>two &lt;script&gt;</li></ul>',
    );
  });
});

describe('script escaping', () => {
  it('keeps JSON from closing its <script> element', () => {
    const s = jsonForScript({ t: '</script><b>' });
    expect(s).not.toContain('</script');
    expect(JSON.parse(s)).toEqual({ t: '</script><b>' });
  });
  it('keeps an inlined library from closing its <script> element', () => {
    expect(scriptForInline('a="</script>"')).toBe('a="<\\/script>"');
  });
});

const table: Table = {
  id: 't',
  caption: 'Caption',
  columns: [
    { key: 'option', header: 'option' },
    { key: 'p99', header: 'p99_ms', digits: 2 },
  ],
  rows: [
    { option: 'net-host', p99: 0.6 },
    { option: 'a|b', p99: null },
  ],
};

describe('tables', () => {
  it('as markdown: right-aligned numbers, escaped pipes, dash for missing', () => {
    expect(tableToMarkdown(table)).toBe(
      '*Caption*\n\n| option | p99_ms |\n| --- | ---: |\n| net-host | 0.60 |\n| a\\|b | - |',
    );
  });
  it('as HTML: numeric cells carry class num', () => {
    const html = tableToHtml(table);
    expect(html).toContain('<td class="num">0.60</td>');
    expect(html).toContain('<caption>Caption</caption>');
  });
  it('as text: aligned columns with unit headers', () => {
    expect(tableToText(table).split('\n')[0]).toBe('option    p99_ms');
  });
});
