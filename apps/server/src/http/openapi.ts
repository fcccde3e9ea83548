import { ERRORS, ErrorBody } from '@keyway/protocol';
import { z } from 'zod';
import type { RouteDef } from './route';

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
export function buildOpenApi(routes: RouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const json = (schema: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    });
  const errorSchema = json(ErrorBody, 'output');

  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = r.query ? queryParams(json(r.query, 'input')) : [];
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
                schema: json(schema, 'output'),
              },
            },
          }
        : { description: 'No content', headers };
    }
    responses.default = {
      description: `Error. Codes: ${Object.keys(ERRORS).join(', ')}.`,
      content: { 'application/json': { schema: errorSchema } },
    };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === 'user'
        ? { security: [{ bearer: [] }] }
        : { security: [] }),
      parameters: [...params, ...query],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: json(r.body, 'input') },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyway API',
      version: '1.0.0',
      description: 'Keyless access: spaces, doors, members, opening.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
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
    paths,
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
