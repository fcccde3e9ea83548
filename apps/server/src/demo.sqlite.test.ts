import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { httpRequest, loginVia, type SyncBackend } from './test/sync-backend';

// `npm start`'s last step (the demo) and first step (the port check), run as a newcomer would:
// from a folder of her own, with KEYWAY_DATA_DIR pointing elsewhere.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEMO = join(ROOT, 'apps/server/src/demo.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kw-demo-${name}-`));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  // The demo's whole process group (tsx, the demo, its unit): a failed test leaves no orphans.
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // The group has already gone: nothing left behind.
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runDemo(cwd: string, env: Record<string, string>) {
  const child = spawn(TSX, [DEMO], {
    cwd,
    env: { ...process.env, KEYWAY_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const banner = async () => {
    for (let i = 0; i < 600 && !out.includes('Keyway demo is running'); i++) {
      if (child.exitCode !== null) throw new Error(`demo exited: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /API\s+(http:\/\/\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`no banner: ${out}\n${err}`);
    return url;
  };
  return { child, exited, banner, output: () => out, errors: () => err };
}

/** The command lines of every process under `pid` (other tests' units run on this machine too). */
function descendants(pid: number): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], {
    encoding: 'utf8',
  })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m) => m !== null);
  const under = new Set([pid]);
  const lines: string[] = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [, p, pp, args] of rows) {
      if (!under.has(Number(p)) && under.has(Number(pp))) {
        under.add(Number(p));
        lines.push(args ?? '');
        grew = true;
      }
    }
  }
  return lines;
}

describe('npm start (demo)', () => {
  it('keeps everything in KEYWAY_DATA_DIR, hides the unit password, and opens a door', async () => {
    const cwd = tempDir('cwd');
    const data = join(tempDir('data'), 'not-yet-made');
    const demo = runDemo(cwd, {
      KEYWAY_DATA_DIR: data,
      KEYWAY_PORT: '0',
      KEYWAY_MQTT_PORT: '0',
    });
    const url = await demo.banner();
    // The same SMS login every suite uses, through the demo's own outbox in KEYWAY_DATA_DIR.
    const request: SyncBackend['request'] = (method, path, opts) =>
      httpRequest(url, method, path, opts);
    const token = await loginVia(
      request,
      join(data, 'sms-outbox.jsonl'),
      '+34600000002',
      'test',
    );
    const spaces = await request('GET', '/v1/spaces', { token });
    const spaceId = spaces.body.spaces[0].id as string;
    const doors = await request('GET', `/v1/spaces/${spaceId}/doors`, {
      token,
    });
    const open = await request(
      'POST',
      `/v1/doors/${doors.body.doors[0].id}/open`,
      { token },
    );
    expect(open.status).toBe(200);
    expect(open.body.result).toBe('opened');

    // Nothing under the folder it was started from; the unit's state file beside the database.
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(readdirSync(data).some((f) => /^unit-.*\.json$/.test(f))).toBe(true);
    // The unit's password is in no process's command line (ps shows those to every user).
    const unitLines = descendants(demo.child.pid ?? 0).filter((l) =>
      l.includes('unit/src/main.ts'),
    );
    expect(unitLines.length).toBeGreaterThan(0);
    for (const line of unitLines) expect(line).not.toContain('--password');
    // The unit's log lines are pretty, like the server's, not raw JSON.
    expect(demo.output()).not.toMatch(/^\{"level"/m);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 90_000);

  it('names a busy port in one line, at once', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const cwd = tempDir('busy');
      const check = spawn(
        process.execPath,
        [join(ROOT, 'scripts/check-ports.mjs')],
        {
          env: {
            ...process.env,
            KEYWAY_PORT: String(port),
            KEYWAY_MQTT_PORT: '0',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let err = '';
      check.stderr?.on('data', (d) => {
        err += d;
      });
      expect(await new Promise((r) => check.once('exit', r))).toBe(1);
      expect(err.trim().split('\n')).toEqual([
        `keyway: port ${port} on 127.0.0.1 (KEYWAY_PORT, HTTP API and web apps) is taken: stop what uses it, or choose another, e.g. KEYWAY_PORT=${port + 10} npm start`,
      ]);
      // The demo itself says the same in one line (no stack trace) if the port is taken later.
      const demo = runDemo(cwd, {
        KEYWAY_DATA_DIR: join(cwd, 'data'),
        KEYWAY_PORT: String(port),
        KEYWAY_MQTT_PORT: '0',
      });
      expect(await demo.exited).toBe(1);
      expect(demo.errors().trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^keyway: port ${port} on .* is taken: .*KEYWAY_PORT=${port + 10} npm start$`,
          ),
        ),
      ]);
    } finally {
      busy.close();
    }
  }, 90_000);
});
