import { ERRORS, type ErrorCode } from '@keyway/protocol';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { routes } from '../routes';
import { buildOpenApi } from './openapi';

type Op = {
  operationId: string;
  responses: Record<string, any>;
  requestBody?: any;
};

describe('the OpenAPI document', () => {
  // Read as a client reads it: plain JSON.
  const doc: any = JSON.parse(JSON.stringify(buildOpenApi(routes)));
  const ops: Op[] = Object.values(doc.paths).flatMap((p: any) =>
    Object.values(p),
  );
  const op = (id: string) => ops.find((o) => o.operationId === id) as Op;
  const codesOf = (res: any): ErrorCode[] =>
    res.content['application/json'].schema.allOf[1].properties.error.properties
      .code.enum;

  it('is a valid OpenAPI 3.1 document (an independent validator)', async () => {
    const res = await new Validator().validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(
      buildOpenApi(routes, { publicUrl: 'https://k.example' }).servers,
    ).toEqual([{ url: 'https://k.example' }]);
  });

  it('names reusable schemas after the protocol, and every $ref resolves', () => {
    const schemas = doc.components.schemas;
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$schema"');
    for (const [, id] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g))
      expect(schemas, id).toHaveProperty(id as string);
    expect(
      op('createDoor').requestBody.content['application/json'].schema,
    ).toEqual({ $ref: '#/components/schemas/CreateDoorBody' });
    expect(schemas.CreateDoorBody.properties.relay).toEqual({
      $ref: '#/components/schemas/Relay',
    });
    expect(schemas.Door).toMatchObject({ type: 'object' });
  });

  it('gives request examples that the server schemas accept', () => {
    let seen = 0;
    for (const r of routes) {
      if (!r.body) continue;
      const ref = op(r.operationId).requestBody.content['application/json']
        .schema.$ref as string;
      const examples =
        doc.components.schemas[ref.split('/').pop() as string].examples ?? [];
      expect(
        examples.length,
        `${r.operationId}: an example body`,
      ).toBeGreaterThan(0);
      for (const ex of examples) {
        expect(r.body.safeParse(ex).success, r.operationId).toBe(true);
        seen++;
      }
    }
    for (const id of ['createSpace', 'createDoor', 'openDoor', 'verifyCode'])
      expect(
        doc.components.schemas[
          op(id)
            .requestBody.content['application/json'].schema.$ref.split('/')
            .pop()
        ].examples,
        id,
      ).toHaveLength(1);
    expect(seen).toBeGreaterThanOrEqual(16);
  });

  it('gives every JSON answer an example: a success one the route’s own response schema accepts, one per error code', () => {
    let seen = 0;
    for (const r of routes)
      for (const [status, schema] of Object.entries(r.responses)) {
        const media =
          doc.paths[r.path][r.method.toLowerCase()].responses[status].content?.[
            'application/json'
          ];
        if (!schema || !media) continue;
        const parsed = schema.safeParse(media.example);
        expect(
          parsed.success,
          `${r.operationId} ${status}: ${JSON.stringify(parsed.error?.issues)}`,
        ).toBe(true);
        seen++;
      }
    expect(seen).toBeGreaterThanOrEqual(30);
    for (const o of ops)
      for (const [status, res] of Object.entries(o.responses)) {
        if (status === 'default' || Number(status) < 400) continue;
        const examples = res.content['application/json'].examples;
        expect(Object.keys(examples), `${o.operationId} ${status}`).toEqual(
          codesOf(res),
        );
        for (const [code, ex] of Object.entries<any>(examples))
          expect(ex.value.error.code).toBe(code);
      }
    expect(
      op('openDoor').responses['200'].content['application/json'].example,
    ).toMatchObject({ result: 'opened', event: { type: 'door.open' } });
  });

  it('is as strict as the server: E.164, IANA zones, path ids, page cursors', () => {
    const s = doc.components.schemas;
    expect(s.Phone.pattern).toBe('^\\+[1-9]\\d{6,14}$');
    expect(s.PhoneInput.description).toMatch(/E\.164/);
    expect(s.TimeZone).toMatchObject({ format: 'iana-time-zone' });
    expect(s.TimeZone.description).toMatch(/IANA/);
    expect(s.PathId.pattern).toBe('^[A-Za-z0-9_-]+$');
    const events = doc.paths['/v1/spaces/{spaceId}/events'].get;
    const cursor = events.parameters.find(
      (p: { name: string }) => p.name === 'cursor',
    );
    expect(JSON.stringify(cursor.schema)).toContain('\\\\d{1,15}');
  });

  it('lists each error status with the codes the route can answer there', () => {
    for (const o of ops)
      for (const [status, res] of Object.entries(o.responses)) {
        if (status === 'default' || Number(status) < 400) continue;
        for (const code of codesOf(res))
          expect(ERRORS[code].status, `${o.operationId} ${code}`).toBe(
            Number(status),
          );
      }
    expect(codesOf(op('getDoor').responses['401'])).toEqual(['unauthorized']);
    expect(codesOf(op('getDoor').responses['404'])).toEqual(['not_found']);
    expect(op('requestCode').responses['401']).toBeUndefined();
    expect(codesOf(op('openDoor').responses['403'])).toEqual(
      expect.arrayContaining(['outside_schedule', 'no_access', 'forbidden']),
    );
    expect(codesOf(op('openDoor').responses['503'])).toEqual(['unit_offline']);
    expect(codesOf(op('createDoor').responses['409'])).toEqual([
      'relay_in_use',
      'relay_not_announced',
    ]);
    // What the unit's ack can answer (docs/unit-protocol.md §4.3).
    expect(codesOf(op('openDoor').responses['502'])).toEqual(
      expect.arrayContaining([
        'unit_failed',
        'unit_rejected_command',
        'unit_protocol_error',
      ]),
    );
    expect(codesOf(op('openDoor').responses['409'])).toEqual([
      'command_duplicate',
    ]);
    expect(codesOf(op('createSpace').responses['400'])).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_json']),
    );
  });
});
