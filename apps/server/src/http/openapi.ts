import {
  ERRORS,
  ErrorBody as ErrorBodySchema,
  type ErrorCode,
  PathId as PathIdSchema,
} from '@keyway/protocol';
import { z } from 'zod';
import { addAnswerExamples } from './openapi-examples';
import { SchemaComponents } from './openapi-schemas';
import { paramNames, type RouteDef } from './route';

const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

/** What each route `tag` groups, for the document's `tags` (a route's tag must be one of these: redocly.yaml). */
const TAGS: Record<string, string> = {
  auth: 'Log in by phone number and SMS code; your profile and sessions.',
  spaces:
    'Spaces (a building, an office): their settings, time zone and geofence.',
  admins: 'Who administers a space: owners, admins and viewers.',
  units:
    'Door units: the agents next to the doors, their MQTT credentials and presence.',
  doors:
    'Doors on a unit’s relays: open one, read its state now or at an instant.',
  groups: 'Groups of doors that members are given.',
  members:
    'The people who may open doors, their groups, schedules and validity.',
  events: 'The access log: every open, refusal, door state and admin change.',
  audit: 'The audit trail of every admin action (owners and admins only).',
  integrations:
    'API keys: other systems use one space within the scopes an admin gave them (docs/api-keys.md).',
  sync: 'Live sync (`GET /v1/sync`, a WebSocket): delivery receipts of changes to phones, dashboards and units.',
};

/** The codes a route can answer, by what it declares: auth, params, a body, its own `errors`. */
function errorCodes(r: RouteDef): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (r.body || r.query || paramNames(r.path).length)
    codes.push('invalid_request');
  if (r.body)
    codes.push('invalid_json', 'payload_too_large', 'unsupported_media_type');
  // Any signed-in route: an API key without its scope, or over its rate (docs/api-keys.md).
  if (r.auth === 'user')
    codes.push('unauthorized', 'insufficient_scope', 'rate_limited');
  if (r.auth === 'user' && paramNames(r.path).length)
    codes.push('forbidden', 'not_found');
  return [...new Set([...codes, ...(r.errors ?? [])])];
}

/** One response per status its codes name (4xx, and a route's own 503/504), its `code` narrowed to what this route can answer there. */
function errorResponses(r: RouteDef): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(r)) {
    const { status } = ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0]))
    out[status] = {
      description: codes.join(', '),
      content: {
        'application/json': {
          examples: Object.fromEntries(
            codes.map((code) => [
              code,
              {
                summary: code,
                value: { error: { code, message: ERRORS[code].message } },
              },
            ]),
          ),
          schema: {
            allOf: [
              ERROR_REF,
              {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    // message and details again: redocly lint reads ErrorBody's
                    // additionalProperties: false as closing this branch too.
                    properties: {
                      code: { enum: codes },
                      message: { type: 'string' },
                      details: {},
                    },
                  },
                },
              },
            ],
          },
        },
      },
    };
  return out;
}

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function buildOpenApi(
  routes: RouteDef[],
  opts: { publicUrl?: string | undefined } = {},
) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components = new SchemaComponents();
  const pathId = components.ref(PathIdSchema, 'input', 'PathId');
  const errorBody = components.ref(ErrorBodySchema, 'output', 'ErrorBody');
  const fiveHundreds = Object.entries(ERRORS)
    .filter(([, e]) => e.status >= 500)
    .map(([c]) => c);

  for (const r of routes) {
    const params = paramNames(r.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: pathId,
    }));
    const name = r.operationId[0]?.toUpperCase() + r.operationId.slice(1);
    const query = r.query
      ? queryParams(
          z.toJSONSchema(r.query, {
            target: 'draft-2020-12',
            io: 'input',
            unrepresentable: 'any',
          }),
        )
      : [];
    const responses: Record<string, unknown> = {};
    const headers = {
      'Server-Timing': { $ref: '#/components/headers/ServerTiming' },
    };
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] = schema
        ? {
            description: 'OK',
            headers,
            content: {
              [r.produces ?? 'application/json']: {
                schema: components.ref(schema, 'output', `${name}Response`),
              },
            },
          }
        : { description: 'No content', headers };
    }
    Object.assign(responses, errorResponses(r));
    responses.default = {
      description: `Unavailable or failed: ${fiveHundreds.join(', ')}.`,
      content: { 'application/json': { schema: errorBody } },
    };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === 'user'
        ? {
            // A person's session, or an API key with the route's scope (docs/api-keys.md).
            security: r.scope
              ? [{ bearer: [] }, { apiKey: [r.scope] }]
              : [{ bearer: [] }],
            ...(r.scope
              ? {
                  description: `Also for API keys with the scope \`${r.scope}\`.`,
                  'x-keyway-scope': r.scope,
                }
              : {
                  description:
                    'For people signed in only: an API key gets 403 insufficient_scope.',
                }),
          }
        : { security: [] }),
      parameters: [...params, ...query],
      ...(r.body
        ? {
            requestBody: {
              // A body with a default (openDoor's `{}`) may be left out.
              required: !r.body.safeParse(undefined).success,
              content: {
                'application/json': {
                  schema: components.ref(r.body, 'input', `${name}Body`),
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  const { schemas, resolve } = components.build();
  const resolved = addAnswerExamples(resolve(paths), schemas);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyway API',
      version: '1.0.0',
      description: 'Keyless access: spaces, doors, members, opening.',
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({
      name,
      description: TAGS[name],
    })),
    servers: [
      opts.publicUrl
        ? { url: opts.publicUrl }
        : { url: '/', description: 'The server that serves this document' },
    ],
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A session token from `POST /v1/auth/verify` (SMS login), sent as `Authorization: Bearer <token>`.',
        },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key of one space (`kw_…`, from `POST /v1/spaces/{spaceId}/api-keys`), sent as `Authorization: Bearer kw_…`. An operation lists the one scope a key needs; other operations answer 403 `insufficient_scope`, another space’s objects 404.',
        },
      },
      headers: {
        ServerTiming: {
          description:
            'Where the request’s time went, in ms (see http/timing.ts): `pre` until its first write began, `write` to the commit of its last write, `wait` the part of `write` queued behind other writes, `commit` the part of `write` that is the durable COMMIT itself, `push` until the change was handed to every socket and unit, `total` until the response. Reads carry only `total`.',
          schema: {
            type: 'string',
            examples: [
              'pre;dur=0.412, write;dur=1.803, wait;dur=0.004, commit;dur=0.710, push;dur=0.120, total;dur=2.511',
            ],
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: resolved,
  };
}

function queryParams(schema: Record<string, unknown>) {
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
  }));
}
