import { readFileSync } from 'node:fs';
import { DEMO } from '../demo-data';

// biome-ignore lint/suspicious/noExplicitAny: answers of the public API, read field by field
type Json = Record<string, any>;

/** A small client of the public API, as the cluster's first user (the demo admin). */
class Api {
  token?: string;
  constructor(
    private url: string,
    private outbox: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  }

  /** Logs in by SMS code, read from the outbox the nodes write (KEYWAY_SMS_OUTBOX). */
  async login(phone: string): Promise<void> {
    await this.call('POST', '/v1/auth/code', { phone });
    const lines = readFileSync(this.outbox, 'utf8').trim().split('\n');
    const mine = lines
      .map((l) => JSON.parse(l) as { to: string; code?: string })
      .filter((l) => l.to === phone && l.code);
    const code = mine.at(-1)?.code;
    if (!code) throw new Error(`no SMS code for ${phone} in ${this.outbox}`);
    const r = await this.call('POST', '/v1/auth/verify', {
      phone,
      code,
      deviceName: 'npm run cluster',
    });
    this.token = r.token;
  }
}

export interface DemoCredentials {
  username: string;
  password: string;
  mqttUrl: string;
}

/**
 * The demo building of `npm start`, built through the cluster's public URL (any node serves any
 * request). Run again on an existing cluster it finds the building and issues new credentials
 * for its unit (a password is only ever shown once).
 */
export async function seedDemoOverApi(
  url: string,
  outbox: string,
): Promise<{ spaceId: string; credentials: DemoCredentials }> {
  const api = new Api(url, outbox);
  await api.login(DEMO.admin.phone);
  await api.call('PATCH', '/v1/me', { name: DEMO.admin.name });
  const { spaces } = await api.call('GET', '/v1/spaces');
  const existing = (spaces as Json[]).find((s) => s.name === DEMO.space);
  if (existing) {
    const { units } = await api.call('GET', `/v1/spaces/${existing.id}/units`);
    const unitId = (units as Json[])[0]?.id;
    if (unitId) {
      const r = await api.call('POST', `/v1/units/${unitId}/credentials`);
      return { spaceId: existing.id, credentials: r.credentials };
    }
  }
  const { space } = existing
    ? { space: existing }
    : await api.call('POST', '/v1/spaces', {
        name: DEMO.space,
        timezone: 'Europe/Madrid',
        location: { lat: 41.3874, lon: 2.1686 },
      });
  const { unit, credentials } = await api.call(
    'POST',
    `/v1/spaces/${space.id}/units`,
    { name: 'Entrance unit' },
  );
  const door = (name: string, relay: number, pulseMs: number) =>
    api
      .call('POST', `/v1/spaces/${space.id}/doors`, {
        name,
        unitId: unit.id,
        relay,
        pulseMs,
        sensor: true,
      })
      .then((r) => r.door.id as string);
  const doorIds = [
    await door('Street door', 1, 500),
    await door('Garage gate', 2, 1000),
  ];
  const { group } = await api.call('POST', `/v1/spaces/${space.id}/groups`, {
    name: 'Residents',
    doorIds,
  });
  await api.call('POST', `/v1/spaces/${space.id}/members`, {
    phone: DEMO.basic.phone,
    name: DEMO.basic.name,
    groupIds: [group.id],
  });
  await api.call('POST', `/v1/spaces/${space.id}/members`, {
    phone: DEMO.evening.phone,
    name: DEMO.evening.name,
    groupIds: [group.id],
    access: {
      timeFrames: [
        {
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          from: '18:00',
          to: '22:00',
        },
        { days: ['sat', 'sun'], from: '10:00', to: '14:00' },
      ],
    },
  });
  return { spaceId: space.id, credentials };
}
