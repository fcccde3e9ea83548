import * as protocol from '@keyway/protocol';
import { z } from 'zod';

type Json = Record<string, unknown>;
const REF = '#/components/schemas/';

/**
 * The OpenAPI document's `components.schemas`: every protocol zod schema a route uses, under
 * its export name (`CreateDoorBody`, `Door`, `Id`), referenced with `$ref`. A schema whose
 * request (input) form differs from its response (output) form, a default or a coercion, gets
 * a second entry `<Name>Input`. Schemas a route declares that the protocol does not export are
 * named by the caller (`<operationId>Body`).
 */
export class SchemaComponents {
  private readonly names = new Map<z.ZodType, string>();
  private readonly registry = z.registry<{ id: string }>();
  private used = new Set<string>();

  constructor() {
    for (const [name, value] of Object.entries(protocol))
      if (value instanceof z.ZodType && !this.names.has(value))
        this.add(value, name);
  }

  /** A `$ref` to the schema, naming it `fallback` if the protocol does not export it. */
  ref(schema: z.ZodType, io: 'input' | 'output', fallback: string): Json {
    const name = this.names.get(schema) ?? this.add(schema, fallback);
    const id = io === 'input' ? `${name}~input` : name;
    this.used.add(id);
    return { $ref: `${REF}${id}` };
  }

  /** The converted schemas, only those reachable from the refs handed out, refs resolved. */
  build(): { schemas: Record<string, Json>; resolve: (j: Json) => Json } {
    const convert = (io: 'input' | 'output', uri: (id: string) => string) =>
      z.toJSONSchema(this.registry, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        uri,
      }).schemas as Record<string, Json>;
    const plain = (id: string) => `${REF}${id}`;
    const output = convert('output', plain);
    const probe = convert('input', plain);
    // Which schemas read differently as input: itself, or through a schema it refers to.
    const differs = new Set(
      Object.keys(probe).filter(
        (id) => JSON.stringify(probe[id]) !== JSON.stringify(output[id]),
      ),
    );
    for (let grew = true; grew; ) {
      grew = false;
      for (const [id, s] of Object.entries(probe))
        if (!differs.has(id) && refsOf(s).some((r) => differs.has(r))) {
          differs.add(id);
          grew = true;
        }
    }
    const inputName = (id: string) => (differs.has(id) ? `${id}Input` : id);
    const input = convert('input', (id) => `${REF}${inputName(id)}`);
    const all: Record<string, Json> = {};
    for (const [id, s] of Object.entries(output)) all[id] = clean(s);
    for (const id of differs) all[`${id}Input`] = clean(input[id] as Json);
    // A ref handed out for a request is `<Name>~input` until now.
    const resolveId = (id: string) =>
      id.endsWith('~input') ? inputName(id.slice(0, -6)) : id;
    // Keep what the routes reach, and what those reach in turn.
    const keep = new Set<string>();
    const visit = (id: string) => {
      if (keep.has(id) || !all[id]) return;
      keep.add(id);
      for (const r of refsOf(all[id])) visit(r);
    };
    for (const id of this.used) visit(resolveId(id));
    // A request-only schema (CreateDoorBody) keeps its own name: `Input` only beside its output.
    const rename = new Map<string, string>();
    for (const id of differs)
      if (keep.has(`${id}Input`) && !keep.has(id)) rename.set(`${id}Input`, id);
    const finalId = (id: string) => {
      const r = resolveId(id);
      return rename.get(r) ?? r;
    };
    const resolve = (j: Json): Json =>
      JSON.parse(
        JSON.stringify(j).replace(
          /"#\/components\/schemas\/([^"]+)"/g,
          (_m, id: string) => JSON.stringify(`${REF}${finalId(id)}`),
        ),
      );
    const schemas: Record<string, Json> = {};
    for (const id of [...keep].map((k) => [finalId(k), k]).sort())
      schemas[id[0] as string] = resolve(all[id[1] as string] as Json);
    return { schemas, resolve };
  }

  private add(schema: z.ZodType, name: string): string {
    this.names.set(schema, name);
    this.registry.add(schema, { id: name });
    return name;
  }
}

/** A component carries no `$schema`/`$id` of its own: the document's dialect is 2020-12. */
function clean(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  return rest;
}

function refsOf(s: unknown): string[] {
  const text = JSON.stringify(s);
  return [...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
}
