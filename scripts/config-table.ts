// Prints the README's configuration table from the server's config table:
// npx tsx scripts/config-table.ts --write  (rewrites the table in README.md in place)
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_TABLE, isSecret } from '../apps/server/src/config';

const rows = Object.values(CONFIG_TABLE).map((e) => [
  `\`${e.env}\``,
  e.default === undefined ? '—' : `\`${e.default}\``,
  `${e.doc}${isSecret(e) ? ' Never printed or logged.' : ''}`,
]);
const head = ['variable', 'default', 'meaning'];
const width = head.map((h, i) =>
  Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
);
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
const table = [
  line(head),
  `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`,
  ...rows.map(line),
].join('\n');

if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('| variable ');
  const end = readme.indexOf('\n\n', start);
  if (start < 0 || end < 0)
    throw new Error('README has no configuration table');
  writeFileSync(
    'README.md',
    readme.slice(0, start) + table + readme.slice(end),
  );
} else process.stdout.write(`${table}\n`);
