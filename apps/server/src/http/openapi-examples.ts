type Json = Record<string, unknown>;
const REF = '#/components/schemas/';

/** Id prefixes (ids.ts) by the name of a field that holds one: `doorId` → `door_…`. */
const PREFIX: Record<string, string> = {
  space: 'sp',
  door: 'door',
  unit: 'unit',
  user: 'usr',
  member: 'mem',
  group: 'grp',
  session: 'ses',
};

/** A plausible instant for a sample (Tuesday 5 January 2027, noon in Madrid). */
const AT = '2027-01-05T12:00:00+01:00';

/**
 * A sample value of a JSON Schema of the document, for a response's media-type `example`:
 * the schema's own `examples` wherever it has them (the protocol's `.meta({ examples })`),
 * else built from its shape. Every property is filled, nullable ones with their non-null form,
 * so a reader sees each field. openapi.unit.test.ts checks each sample against the route's zod
 * response schema; `redocly lint` against the document.
 */
export function sampleOf(
  schema: unknown,
  schemas: Record<string, Json>,
  key = '',
  depth = 0,
): unknown {
  const s = (schema ?? {}) as Json;
  if (depth > 40) return null; // only a cycle gets this deep
  const next = (sub: unknown, k = key) => sampleOf(sub, schemas, k, depth + 1);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (typeof s.$ref === 'string' && s.$ref.startsWith(REF))
    return next(schemas[s.$ref.slice(REF.length)]);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const alternatives = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alternatives) {
    const useful = alternatives.find((a) => a.type !== 'null');
    return next(useful ?? alternatives[0]);
  }
  if (Array.isArray(s.allOf))
    return Object.assign({}, ...s.allOf.map((a) => next(a)));
  const type = Array.isArray(s.type)
    ? (s.type as string[]).find((t) => t !== 'null')
    : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props)) out[k] = next(v, k);
      return out;
    }
    case 'array':
      return s.items ? [next(s.items)] : [];
    case 'integer':
    case 'number': {
      // 1, within the bounds (z.int() says ±2^53 - 1: not a sample).
      const min = typeof s.minimum === 'number' ? s.minimum : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : 1;
      return Math.min(Math.max(1, min), max);
    }
    case 'boolean':
      return key !== 'lockdown'; // a sample space is not locked down; everything else is on
    case 'string':
      return stringSample(s, key);
    default:
      return null;
  }
}

function stringSample(s: Json, key: string): string {
  if (s.format === 'date-time') return AT;
  const ref = /^(\w+?)Ids?$/.exec(key)?.[1];
  if (key === 'id' || ref) return `${PREFIX[ref ?? ''] ?? 'id'}_4k9x0m2p7q1r`;
  return key || 'text';
}

/** Gives each JSON success answer of the document's paths an `example` (in place; returns them). */
export function addAnswerExamples(
  paths: Json,
  schemas: Record<string, Json>,
): Json {
  for (const byMethod of Object.values(paths) as Json[])
    for (const op of Object.values(byMethod) as { responses: Json }[])
      for (const [status, res] of Object.entries(op.responses)) {
        const content = (res as { content?: Record<string, Json> }).content;
        const media = content?.['application/json'];
        if (status.startsWith('2') && media)
          media.example = sampleOf(media.schema, schemas);
      }
  return paths;
}
