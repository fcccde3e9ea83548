// Prints the README's configuration table from the server's config table:
// npx tsx scripts/config-table.ts --write  (rewrites the table in README.md in place)
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_TABLE, isSecret } from '../apps/server/src/config';
import { markdownTable } from '../apps/server/src/docs-table';

const rows = Object.values(CONFIG_TABLE).map((e) => [
  `\`${e.env}\``,
  e.default === undefined ? '—' : `\`${e.default}\``,
  `${e.doc}${isSecret(e) ? ' Never printed or logged.' : ''}`,
]);
const table = markdownTable(['variable', 'default', 'meaning'], rows);

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
