// Prints the AsyncAPI document of the unit protocol, generated from the protocol's zod schemas:
// npx tsx scripts/asyncapi.ts --write  (rewrites docs/unit-protocol.asyncapi.json)
import { writeFileSync } from 'node:fs';
import { buildAsyncApi } from '../packages/protocol/src/mqtt/asyncapi';

const ASYNCAPI_DOC = 'docs/unit-protocol.asyncapi.json';
const text = `${JSON.stringify(buildAsyncApi(), null, 2)}\n`;

if (process.argv.includes('--write')) writeFileSync(ASYNCAPI_DOC, text);
else process.stdout.write(text);
