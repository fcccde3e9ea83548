// The offline decision vectors of docs/unit-protocol.md §10.6, run through the real decideOffline.
// Firmware in any language can run the same file (docs/unit-protocol-vectors.json).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decideOffline } from './offline';

interface Vectors {
  version: number;
  views: Record<string, Record<string, unknown>>;
  cases: {
    id: string;
    view: string;
    userId: string;
    relay: number;
    at: string;
    expect: { allowed: boolean; reason?: string };
    why: string;
  }[];
}

const FILE = new URL(
  '../../../docs/unit-protocol-vectors.json',
  import.meta.url,
);
const vectors = JSON.parse(readFileSync(FILE, 'utf8')) as Vectors;

/**
 * The vectors are a published contract: vendors certify against a version. Any edit to a view or
 * a case (formatting aside) changes this digest; make it on purpose, with a new `version`.
 */
const DIGESTS: Record<number, string> = {
  1: '9893e50d249c4f178ad357f3f35dd297d522f4b4bbb146f648d10f984a2eb706',
};

describe('offline decision vectors (docs/unit-protocol-vectors.json)', () => {
  it('are the published version, unchanged', () => {
    const digest = createHash('sha256')
      .update(JSON.stringify({ views: vectors.views, cases: vectors.cases }))
      .digest('hex');
    expect(digest).toBe(DIGESTS[vectors.version]);
  });

  it('are at least 40 distinct cases over views that exist, at UTC instants', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(vectors.cases.map((c) => c.id)).size).toBe(
      vectors.cases.length,
    );
    for (const c of vectors.cases) {
      expect(vectors.views[c.view], c.id).toBeDefined();
      expect(c.at, c.id).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it.each(vectors.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const view = new Map(Object.entries(vectors.views[c.view]!));
    expect(
      decideOffline(view, {
        userId: c.userId,
        relay: c.relay,
        at: new Date(c.at),
      }),
      c.why,
    ).toEqual(c.expect);
  });
});
