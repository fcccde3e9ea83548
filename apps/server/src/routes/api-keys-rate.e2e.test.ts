import { afterAll, describe, expect, it } from 'vitest';
import { expectError } from '../test/endpoints';
import { buildSpace, PHONES } from '../test/fixtures';
import { expectStatus, TestServer } from '../test/harness';

const RATE = 40;

describe('API keys have their own rate limit', () => {
  let t: TestServer;
  afterAll(async () => {
    await t?.stop();
  });

  it('past KEYWAY_API_KEY_PER_MINUTE a key gets 429 with Retry-After; another key and people are not slowed', async () => {
    t = await TestServer.start({ config: { apiKeyRequestsPerMinute: RATE } });
    const a = await buildSpace(t, PHONES.owner, 'A');
    const make = async () =>
      expectStatus(
        await t.request('POST', `/v1/spaces/${a.space.id}/api-keys`, {
          token: a.owner,
          body: { name: 'Busy', scopes: ['doors:read'] },
        }),
        201,
      ).secret as string;
    const [busy, calm] = [await make(), await make()];
    const doors = `/v1/spaces/${a.space.id}/doors`;
    const statuses = await Promise.all(
      Array.from(
        { length: RATE + 10 },
        async () => (await t.request('GET', doors, { token: busy })).status,
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const limited = expectError(
      await t.request('GET', doors, { token: busy }),
      429,
      'rate_limited',
    );
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expectStatus(await t.request('GET', doors, { token: calm }), 200);
    expectStatus(await t.request('GET', doors, { token: a.owner }), 200);
  });
});
