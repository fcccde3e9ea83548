import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (rel: string) =>
  readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('the README quickstart', () => {
  it('is examples/quickstart.ts (the file the e2e test runs), from its first import on', () => {
    const file = read('../examples/quickstart.ts');
    const code = file.slice(file.indexOf('import '));
    const readme = read('../README.md');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(
      (m) => m[1],
    );
    expect(blocks).toContain(code);
  });
});
