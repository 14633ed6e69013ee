/**
 * The small markdown subset report text uses, to HTML: paragraphs separated by blank lines,
 * `- ` bullet lists, `code`, **bold**. Everything else is escaped, so text can never inject markup.
 */
import { escapeHtml } from './escape.ts';

function inline(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

export function markdownToHtml(md: string): string {
  const out: string[] = [];
  for (const para of md.trim().split(/\n\s*\n/)) {
    const lines = para.split('\n');
    if (lines.every((l) => /^\s*- /.test(l) || /^\s{2,}\S/.test(l))) {
      const items: string[] = [];
      for (const l of lines) {
        if (/^\s*- /.test(l)) items.push(l.replace(/^\s*- /, ''));
        else if (items.length > 0) items[items.length - 1] += ` ${l.trim()}`;
      }
      out.push(`<ul>${items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
    } else {
      out.push(`<p>${inline(lines.join(' '))}</p>`);
    }
  }
  return out.join('\n');
}
