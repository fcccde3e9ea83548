import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from '../../../apps/server/src/test/fixtures';
import {
  expectStatus,
  TestServer,
} from '../../../apps/server/src/test/harness';
import {
  UnitProcess,
  waitFor,
} from '../../../apps/server/src/test/unit-process';

const QUICKSTART = fileURLToPath(new URL('./quickstart.ts', import.meta.url));

/** Runs the quickstart as a reader would, typing the SMS code when it asks; its output and exit code. */
function runQuickstart(t: TestServer) {
  const child = spawn(process.execPath, ['--import', 'tsx', QUICKSTART], {
    env: { ...process.env, KEYWAY_URL: t.url, KEYWAY_PHONE: PHONES.owner },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let typed = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (!typed && out.includes('Code: ')) {
      typed = true;
      child.stdin.end(`${t.lastCode(PHONES.owner)}\n`);
    }
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out })),
  );
}

describe('the SDK quickstart (packages/sdk/README.md) against a real server and unit', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;

  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
    unit = UnitProcess.spawn(s.credentials);
    await waitFor(
      async () =>
        (
          await t.request('GET', `/v1/spaces/${s.space.id}/units`, {
            token: s.owner,
          })
        ).body.units[0].online === true,
      'unit online',
    );
  });
  afterAll(async () => {
    await unit?.kill();
    await t?.stop();
  });

  it('logs in by SMS code, adds a member, opens a door and sees the open as a live event', async () => {
    const { code, out } = await runQuickstart(t);
    expect(out).toMatch(/member mem\w* added \(\+34600000077\)/);
    expect(out).toMatch(/Front gate: opened \(event \w+\)/);
    expect(out).toMatch(/live: door\.open granted at /);
    expect(out).toContain('the live event is the same open: true');
    expect(code, out).toBe(0);

    const members = expectStatus(
      await t.request('GET', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
      }),
      200,
    ).members;
    expect(members).toContainEqual(
      expect.objectContaining({
        phone: '+34600000077',
        access: expect.objectContaining({
          timeFrames: [expect.objectContaining({ from: '18:00' })],
        }),
      }),
    );
    const events = expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${s.space.id}/events?type=door.open&doorId=${s.door.id}`,
        { token: s.owner },
      ),
      200,
    ).events;
    expect(events.map((e: { result: string }) => e.result)).toEqual([
      'granted',
    ]);
  });

  it('run again, says the member exists (a KeywayError with code conflict) and opens again', async () => {
    const { code, out } = await runQuickstart(t);
    expect(out).toMatch(/\+34600000077 is already a member: /);
    expect(out).toContain('the live event is the same open: true');
    expect(code, out).toBe(0);
  });
});
