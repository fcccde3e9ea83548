import { expectStatus, type TestServer } from './harness';

export const PHONES = {
  owner: '+34600000001',
  admin: '+34600000002',
  viewer: '+34600000003',
  member: '+34600000004',
  evening: '+34600000005',
  stranger: '+34600000099',
};

/** A space with a unit, two doors, a group and a member, built through the public API. */
export async function buildSpace(
  t: TestServer,
  ownerPhone = PHONES.owner,
  name = 'HQ',
) {
  const owner = await t.login(ownerPhone);
  const space = expectStatus(
    await t.request('POST', '/v1/spaces', {
      token: owner,
      body: {
        name,
        timezone: 'Europe/Madrid',
        location: { lat: 41.3874, lon: 2.1686 },
      },
    }),
    201,
  ).space;
  const unitRes = expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/units`, {
      token: owner,
      body: { name: 'Gate unit' },
    }),
    201,
  );
  const door = expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/doors`, {
      token: owner,
      body: {
        name: 'Front gate',
        unitId: unitRes.unit.id,
        relay: 1,
        pulseMs: 200,
        sensor: true,
      },
    }),
    201,
  ).door;
  const door2 = expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/doors`, {
      token: owner,
      body: { name: 'Garage', unitId: unitRes.unit.id, relay: 2 },
    }),
    201,
  ).door;
  const group = expectStatus(
    await t.request('POST', `/v1/spaces/${space.id}/groups`, {
      token: owner,
      body: { name: 'Residents', doorIds: [door.id, door2.id] },
    }),
    201,
  ).group;
  return {
    owner,
    space,
    unit: unitRes.unit,
    credentials: unitRes.credentials,
    door,
    door2,
    group,
  };
}
