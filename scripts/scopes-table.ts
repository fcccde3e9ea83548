// Rewrites docs/api-keys.md's scope table from the route table:
// npx tsx scripts/scopes-table.ts --write   (http/scopes-table.unit.test.ts fails while they differ)
import { readFileSync, writeFileSync } from 'node:fs';
import {
  SCOPES_END,
  SCOPES_START,
  scopesTable,
} from '../apps/server/src/http/scopes-table';
import { routes } from '../apps/server/src/routes';

const path = 'docs/api-keys.md';
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf(SCOPES_START) + SCOPES_START.length;
const end = doc.indexOf(SCOPES_END);
if (start < SCOPES_START.length || end < 0)
  throw new Error(`${path} has no scope table markers`);
const next = `${doc.slice(0, start)}\n${scopesTable(routes)}\n${doc.slice(end)}`;
if (process.argv.includes('--write')) writeFileSync(path, next);
else process.stdout.write(`${scopesTable(routes)}\n`);
