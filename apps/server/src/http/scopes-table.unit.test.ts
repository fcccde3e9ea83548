import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { routes } from '../routes';
import { SCOPES_END, SCOPES_START, scopesTable } from './scopes-table';

it('docs/api-keys.md lists exactly the routes each scope opens (npx tsx scripts/scopes-table.ts --write)', () => {
  const doc = readFileSync(
    new URL('../../../../docs/api-keys.md', import.meta.url),
    'utf8',
  );
  const table = doc
    .slice(
      doc.indexOf(SCOPES_START) + SCOPES_START.length,
      doc.indexOf(SCOPES_END),
    )
    .trim();
  expect(table).toBe(scopesTable(routes));
});
