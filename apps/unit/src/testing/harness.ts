import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LatLon } from '@keyway/protocol';
import pino, { type Logger } from 'pino';
import { afterEach, expect, vi } from 'vitest';
import { type Agent, createAgent } from '../agent';
import { createSimDriver, type SimDriver } from '../drivers/sim';
import { startBroker, type TestBroker } from './broker';
import { connectServer, type FakeServer } from './server';

export const UNIT_ID = 'unit-test-1';
export const waitLong = { timeout: 10_000, interval: 10 };

export interface UnitOptions {
  relays?: number;
  /** Relays with a door sensor (default: all). */
  sensors?: readonly number[];
  location?: LatLon;
  now?: () => number;
  log?: Logger;
  /** Default: a fresh file in a temporary directory. */
  stateFile?: string;
}

export interface Running {
  broker: TestBroker;
  server: FakeServer;
  driver: SimDriver;
  agent: Agent;
}

/** Registers an afterEach that undoes, newest first, everything a test started. */
export function harness() {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => Promise<unknown>) => cleanups.push(cleanup);
  /** A path in a new temporary directory, removed after the test. */
  const stateFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-unit-'));
    defer(async () => rmSync(dir, { recursive: true, force: true }));
    return join(dir, `keyway-unit-${UNIT_ID}.json`);
  };

  const broker = async (port?: number) => {
    const b = await startBroker(port);
    defer(() => b.close());
    return b;
  };
  const server = async (url: string) => {
    const s = await connectServer(url, UNIT_ID);
    defer(() => s.close());
    return s;
  };
  /** A sim-driven agent (doors close 50 ms after a pulse, fast reconnects) against `url`. */
  const agent = (url: string, opts: UnitOptions = {}) => {
    const driver = createSimDriver({
      relays: opts.relays ?? 2,
      closeAfterMs: 50,
      ...(opts.sensors && { sensors: opts.sensors }),
      log: silent(),
    });
    const a = createAgent({
      url,
      unitId: UNIT_ID,
      password: 'secret',
      driver,
      driverName: 'sim',
      log: opts.log ?? silent(),
      backoff: { minMs: 20, maxMs: 100 },
      stateFile: opts.stateFile ?? stateFile(),
      ...(opts.now && { now: opts.now }),
      ...(opts.location && { location: opts.location }),
    });
    defer(async () => {
      await a.stop();
      await driver.close();
    });
    a.start();
    return { agent: a, driver };
  };
  /**
   * Broker, server and agent, once the agent has announced itself online and reported its
   * boot state (one door event per sensor, §4.4), which is taken out of `server.events` so
   * tests see only what happens next.
   */
  const online = async (opts: UnitOptions = {}): Promise<Running> => {
    const b = await broker();
    const s = await server(b.url);
    const running = { broker: b, server: s, ...agent(b.url, opts) };
    await vi.waitFor(
      () => expect(s.statuses.at(-1)?.online).toBe(true),
      waitLong,
    );
    const sensors = opts.sensors?.length ?? opts.relays ?? 2;
    const isDoor = (e: { type: string }) => e.type === 'door';
    await vi.waitFor(
      () =>
        expect(s.events.filter(isDoor).length).toBeGreaterThanOrEqual(sensors),
      waitLong,
    );
    takeBootState(s, sensors);
    return running;
  };
  return { defer, stateFile, broker, server, agent, online };
}

/** Removes the first `n` door events (a connect's boot state) from what the server heard. */
export function takeBootState(s: FakeServer, n: number) {
  let left = n;
  const rest = s.events.filter((e) => e.type !== 'door' || left-- <= 0);
  s.events.splice(0, s.events.length, ...rest);
}

export const silent = () => pino({ level: 'silent' });

/** A logger that keeps every line, so a test can wait for one. */
export function recordingLogger(): { log: Logger; lines: { msg: string }[] } {
  const lines: { msg: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  return { log, lines };
}
