import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUnit } from './test/fake-unit';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { waitFor } from './test/unit-process';

/** A door goes only on a relay its unit announced (issue 25 item 7). */
describe('doors on the relays a unit announced', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: FakeUnit;

  const createDoor = (body: Record<string, unknown>, token = s.owner) =>
    t.request('POST', `/v1/spaces/${s.space.id}/doors`, {
      token,
      body: { name: 'Side door', unitId: s.unit.id, ...body },
    });
  const unitRow = async () =>
    expectStatus(
      await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }),
      200,
    ).unit;

  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
  });
  afterAll(async () => {
    await unit?.close();
    await t?.stop();
  });

  it('before the unit announces its relays, a door is allowed and flagged', async () => {
    expect((await unitRow()).relays).toBeNull();
    const res = expectStatus(await createDoor({ relay: 4 }), 201);
    expect(res.warnings).toEqual([
      expect.objectContaining({ code: 'relay_unconfirmed' }),
    ]);
    expectStatus(
      await t.request('DELETE', `/v1/doors/${res.door.id}`, {
        token: s.owner,
      }),
      204,
    );
  });

  it('stores the announced count and refuses a relay beyond it, on create and on change', async () => {
    unit = await FakeUnit.connect(s.credentials, { relays: 3 });
    await waitFor(async () => (await unitRow()).relays === 3, 'relays stored');
    const refused = await createDoor({ relay: 4 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'relay_not_announced',
      details: [{ field: 'relay' }],
    });
    expect(refused.body.error.message).toMatch(/3 relays/);
    const moved = await t.request('PATCH', `/v1/doors/${s.door2.id}`, {
      token: s.owner,
      body: { relay: 4 },
    });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('relay_not_announced');
    const ok = expectStatus(await createDoor({ relay: 3 }), 201);
    expect(ok.warnings).toBeUndefined();
    expect(ok.door.relay).toBe(3);
  });

  it('another tenant naming this unit is refused as before, and learns nothing of its relays', async () => {
    const other = await buildSpace(t, PHONES.stranger, 'Elsewhere');
    for (const relay of [3, 4]) {
      const res = await t.request(
        'POST',
        `/v1/spaces/${other.space.id}/doors`,
        {
          token: other.owner,
          body: { name: 'Not mine', unitId: s.unit.id, relay },
        },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const patched = await t.request('PATCH', `/v1/doors/${other.door.id}`, {
      token: other.owner,
      body: { unitId: s.unit.id, relay: 4 },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.code).toBe('invalid_request');
  });
});
