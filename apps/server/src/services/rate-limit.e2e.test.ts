import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { openStorage, type Storage } from '../db/connect';
import { AppError } from '../errors';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { RateLimiter } from './rate-limit';

const MINUTE = 60_000;

/** Two nodes: two connections to one database, each with its own limiter. */
describe('RateLimiter counts in the database, shared by every node', () => {
  let test: TestDatabase;
  let a: Storage;
  let b: Storage;
  let clock: ManualClock;
  let nodeA: RateLimiter;
  let nodeB: RateLimiter;

  beforeEach(async () => {
    test = await createTestDatabase();
    const opts = { dataDir: test.dataDir, databaseUrl: test.databaseUrl };
    a = await openStorage(opts);
    b = await openStorage(opts);
    clock = new ManualClock(Date.parse('2026-12-07T10:00:00Z'));
    nodeA = new RateLimiter(a.db, clock);
    nodeB = new RateLimiter(b.db, clock);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await test.drop();
  });

  const outcome = (p: Promise<void>) =>
    p.then(
      () => 'ok',
      (e: unknown) => (e instanceof AppError ? e.code : String(e)),
    );

  it('hits spread over two nodes share one limit', async () => {
    const results: string[] = [];
    for (let i = 0; i < 8; i++)
      results.push(
        await outcome((i % 2 ? nodeB : nodeA).hit('ip:1', 5, MINUTE)),
      );
    expect(results).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'rate_limited',
      'rate_limited',
      'rate_limited',
    ]);
    // another key has its own window
    expect(await outcome(nodeB.hit('ip:2', 5, MINUTE))).toBe('ok');
  });

  it('hits sent at once on both nodes: exactly the limit get through', async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        outcome((i % 2 ? nodeB : nodeA).hit('code:+41790000000', 5, MINUTE)),
      ),
    );
    expect(all.filter((r) => r === 'ok')).toHaveLength(5);
    expect(all.filter((r) => r === 'rate_limited')).toHaveLength(15);
  });

  it('the refusal says when the window ends; a new window starts after it', async () => {
    for (let i = 0; i < 3; i++) await nodeA.hit('k', 3, MINUTE);
    clock.advance(20_000);
    const err = await nodeB.hit('k', 3, MINUTE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('rate_limited');
    expect((err as AppError).headers).toEqual({ 'retry-after': '40' });
    clock.advance(40_000);
    expect(await outcome(nodeB.hit('k', 3, MINUTE))).toBe('ok');
    expect(await outcome(nodeA.hit('k', 3, MINUTE))).toBe('ok');
    expect(await outcome(nodeA.hit('k', 3, MINUTE))).toBe('ok');
    expect(await outcome(nodeA.hit('k', 3, MINUTE))).toBe('rate_limited');
  });

  it('a refund on one node gives the hit back to every node', async () => {
    await nodeA.hit('code:x', 2, MINUTE);
    await nodeA.hit('code:x', 2, MINUTE);
    expect(await outcome(nodeB.hit('code:x', 2, MINUTE))).toBe('rate_limited');
    await nodeA.refund('code:x');
    expect(await outcome(nodeB.hit('code:x', 2, MINUTE))).toBe('ok');
    expect(await outcome(nodeB.hit('code:x', 2, MINUTE))).toBe('rate_limited');
  });
});
