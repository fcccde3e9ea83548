/** A Markdown table with its columns padded, as the formatter (biome) keeps the docs' tables. */
export function markdownTable(head: string[], rows: string[][]): string {
  const width = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [
    line(head),
    `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}
