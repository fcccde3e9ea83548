import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = join(ROOT, 'apps', 'web');

/** The two web apps the server serves, the page each build writes, and what it is built from. */
const APPS = [
  {
    script: 'build:web',
    page: 'dist/index.html',
    sources: ['src', 'public', 'index.html', 'vite.config.ts'],
  },
  {
    script: 'build:admin',
    page: 'dist-admin/admin.html',
    sources: ['src', 'public', 'admin.html', 'vite.admin.config.ts'],
  },
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** The apps whose build is missing or older than one of their sources. */
export function staleWebApps(web = WEB): string[] {
  return APPS.filter((a) => {
    const page = join(web, a.page);
    if (!existsSync(page)) return true;
    const built = statSync(page).mtimeMs;
    return a.sources.some((s) => newest(join(web, s)) > built);
  }).map((a) => a.script);
}

/**
 * Builds the phone app and the dashboard when their build is missing or older than their
 * sources (issue 17 item 7): a self-hoster's first `npm run serve` serves /app/ and /admin/
 * instead of answering 503 until someone runs the build scripts by hand.
 */
export function buildWebApps(say: (line: string) => void): void {
  for (const script of staleWebApps()) {
    say(`building the web app (npm run ${script})…`);
    execFileSync('npm', ['run', script], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}
