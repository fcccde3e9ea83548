// Prints the OpenAPI document GET /openapi.json serves, built from the route definitions (no server):
//   npx tsx scripts/openapi.ts > /tmp/openapi.json && npx redocly lint /tmp/openapi.json
import { buildOpenApi } from '../apps/server/src/http/openapi';
import { routes } from '../apps/server/src/routes';

process.stdout.write(`${JSON.stringify(buildOpenApi(routes), null, 2)}\n`);
