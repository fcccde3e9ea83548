import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The browser suites test the built app as the server serves it: build it once, first. In its
 * own process, because vitest's NODE_ENV=test would give React's development build.
 */
export default function setup() {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const pkg = createRequire(`${root}package.json`).resolve('vite/package.json');
  const vite = join(dirname(pkg), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}
