import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { harness, UNIT_ID, waitLong } from './testing/harness';
import { openCommand } from './testing/server';

const h = harness();
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** `npm run unit -- ...` without npm: the real entry point in a child process. */
function runUnit(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/unit/src/main.ts', ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  h.defer(async () => {
    if (child.exitCode === null && child.signalCode === null)
      child.kill('SIGKILL');
    await exited;
  });
  return { child, output, exited };
}

const signal = (child: ChildProcess, name: NodeJS.Signals) => child.kill(name);

describe('keyway-unit process', () => {
  it('opens a door for the server, and on SIGTERM says offline and exits 0', async () => {
    const broker = await h.broker();
    const server = await h.server(broker.url);
    const stateFile = h.stateFile();
    const { child, output, exited } = runUnit(
      [
        '--url',
        broker.url,
        '--username',
        UNIT_ID,
        '--relays',
        '2',
        '--sim-close-ms',
        '50',
        '--lat',
        '41.39',
      ],
      {
        KEYWAY_UNIT_PASSWORD: 'secret',
        KEYWAY_UNIT_LON: '2.17',
        KEYWAY_UNIT_STATE_FILE: stateFile,
      },
    );

    await vi.waitFor(() => expect(server.statuses.at(-1)?.online).toBe(true), {
      ...waitLong,
      timeout: 20_000,
    });
    expect(server.statuses.at(-1)).toMatchObject({
      agent: 'keyway-unit/0.1.0 (sim)',
      relays: 2,
    });
    const command = openCommand({ relay: 2, pulseMs: 200 });
    await server.send(command);
    await vi.waitFor(
      () =>
        expect(server.events.filter((e) => e.type === 'door')).toHaveLength(4),
      waitLong,
    );
    expect(server.acks).toEqual([
      { commandId: command.id, result: 'opened', at: expect.any(String) },
    ]);
    expect(server.events).toEqual([
      expect.objectContaining({
        type: 'position',
        location: { lat: 41.39, lon: 2.17 },
      }),
      // Boot state (§4.4), then the open.
      expect.objectContaining({ type: 'door', relay: 1, state: 'closed' }),
      expect.objectContaining({ type: 'door', relay: 2, state: 'closed' }),
      expect.objectContaining({ type: 'door', relay: 2, state: 'open' }),
      expect.objectContaining({ type: 'door', relay: 2, state: 'closed' }),
    ]);
    // Not a TTY here, so logs are JSON lines.
    expect(output.stdout).toContain('"msg":"relay 2 pulsed 200 ms"');

    await vi.waitFor(
      () => expect(server.reports).toEqual([{ type: 'resume', cursor: null }]),
      waitLong,
    );
    await server.sync({ type: 'snapshot', cursor: 'e1.5', view: { a: 1 } });
    await vi.waitFor(
      () =>
        expect(server.reports.at(-1)).toEqual({
          type: 'applied',
          cursor: 'e1.5',
        }),
      waitLong,
    );
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({
      cursor: 'e1.5',
      view: { a: 1 },
    });

    signal(child, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(server.statuses.at(-1)).toEqual({
      online: false,
      at: expect.any(String),
    });
  });

  it('exits 2 naming each bad setting', async () => {
    const { output, exited } = runUnit([
      '--url',
      'mqtt://localhost',
      '--username',
      'u1',
      '--relays',
      '7',
    ]);
    expect(await exited).toBe(2);
    expect(output.stderr).toContain('--password is required');
    expect(output.stderr).toContain('invalid --relays "7"');
  });

  it('prints --help and exits 0', async () => {
    const { output, exited } = runUnit(['--help']);
    expect(await exited).toBe(0);
    expect(output.stdout).toContain('KEYWAY_UNIT_URL');
  });
});
