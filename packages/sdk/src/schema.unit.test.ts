import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSdkSchema, SDK_SCHEMA } from '../../../scripts/sdk';

describe('the committed SDK types', () => {
  it('are what openapi-typescript generates from the server’s OpenAPI document now (else: npx tsx scripts/sdk.ts --write)', async () => {
    const committed = readFileSync(SDK_SCHEMA, 'utf8');
    const generated = await generateSdkSchema();
    // Not toBe: a mismatch would print 5000 lines; the first differing line says enough.
    const a = committed.split('\n');
    const b = generated.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    expect(
      at === -1 && a.length === b.length
        ? null
        : { line: at + 1, committed: a[at], generated: b[at] },
    ).toBeNull();
    expect(generated).toContain('"/v1/doors/{doorId}/open"');
  });
});
