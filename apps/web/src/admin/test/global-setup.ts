import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard suites test the bundle the server serves at /admin/: build it once, first, in
 * its own process (vitest's NODE_ENV=test would give React's development build), with the web
 * workspace's pinned vite. No tile server: the tests never reach outside the machine.
 */
export default function setup() {
  const web = fileURLToPath(new URL('../../../', import.meta.url));
  const pkg = createRequire(`${web}package.json`).resolve('vite/package.json');
  execFileSync(
    process.execPath,
    [
      join(dirname(pkg), 'bin', 'vite.js'),
      'build',
      '-c',
      'vite.admin.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: web,
      env: { ...process.env, NODE_ENV: 'production', VITE_TILE_URL: '' },
      stdio: 'inherit',
    },
  );
}
