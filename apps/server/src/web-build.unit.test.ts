import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleWebApps } from './web-build';

describe('npm run serve builds the web apps when needed', () => {
  const web = mkdtempSync(join(tmpdir(), 'keyway-web-'));
  afterEach(() => rmSync(web, { recursive: true, force: true }));
  const file = (path: string, at: number) => {
    mkdirSync(join(web, path, '..'), { recursive: true });
    writeFileSync(join(web, path), 'x');
    utimesSync(join(web, path), at, at);
  };

  it('a missing build, a build older than a source, an up-to-date build', () => {
    file('src/app.tsx', 1000);
    file('src/admin/main.tsx', 1000);
    file('index.html', 1000);
    file('admin.html', 1000);
    expect(staleWebApps(web)).toEqual(['build:web', 'build:admin']);
    file('dist/index.html', 2000);
    file('dist-admin/admin.html', 2000);
    for (const d of ['src', 'src/admin', 'dist', 'dist-admin'])
      utimesSync(join(web, d), 1000, 1000);
    utimesSync(web, 1000, 1000);
    expect(staleWebApps(web)).toEqual([]);
    file('src/admin/main.tsx', 3000); // an edit after the build
    expect(staleWebApps(web)).toEqual(['build:web', 'build:admin']);
    file('dist/index.html', 4000);
    expect(staleWebApps(web)).toEqual(['build:admin']);
  });
});
