import { buildSpace } from './fixtures';
import { TestServer } from './harness';

const t = await TestServer.start({ env: { KEYWAY_BODY_LIMIT: '2048' } });
try {
  const s = await buildSpace(t);
  const show = async (label: string, p: Promise<any>) => {
    try {
      const r = await p;
      console.log(label, r.status, JSON.stringify(r.body));
    } catch (e) {
      console.log(label, 'THREW', String(e));
    }
  };
  await show(
    'nul name',
    t.request('POST', '/v1/spaces', { token: s.owner, body: { name: 'a\u0000b', timezone: 'UTC' } }),
  );
  await show('nul path', t.request('GET', '/v1/spaces/%00', { token: s.owner }));
  await show('bad url', t.request('GET', '/v1/spaces/%E0%A4%A', { token: s.owner }));
  await show(
    'big cursor',
    t.request('GET', `/v1/spaces/${s.space.id}/events?cursor=99999999999999999999999`, { token: s.owner }),
  );
  await show('nul query', t.request('GET', `/v1/spaces/${s.space.id}/events?doorId=%00`, { token: s.owner }));
  await show(
    '413',
    t.request('POST', '/v1/spaces', { token: s.owner, body: { name: 'x'.repeat(5000), timezone: 'UTC' } }),
  );
  await show(
    'text/plain',
    t.request('POST', '/v1/spaces', { token: s.owner, raw: 'hi', headers: { 'content-type': 'text/plain' } }),
  );
  await show(
    'form',
    t.request('POST', '/v1/spaces', {
      token: s.owner,
      raw: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
  await show(
    'no ct',
    t.request('POST', '/v1/spaces', {
      token: s.owner,
      raw: '{"name":"x","timezone":"UTC"}',
      headers: { 'content-type': '' },
    }),
  );
  await show(
    'charset',
    t.request('POST', '/v1/spaces', {
      token: s.owner,
      raw: '{"name":"x","timezone":"UTC"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    }),
  );
  await show('bad json', t.request('POST', '/v1/spaces', { token: s.owner, raw: '{"name":' }));
  await show('json null', t.request('POST', '/v1/spaces', { token: s.owner, raw: 'null' }));
  await show('PUT', t.request('PUT', '/v1/spaces', { token: s.owner }));
  await show(
    'deep',
    t.request('POST', '/v1/spaces', { token: s.owner, raw: '['.repeat(1000) + ']'.repeat(1000) }),
  );
  await show(
    'proto',
    t.request('POST', '/v1/spaces', {
      token: s.owner,
      raw: '{"__proto__":{"x":1},"name":"p","timezone":"UTC"}',
    }),
  );
  await show('long id', t.request('GET', `/v1/doors/${'x'.repeat(3000)}`, { token: s.owner }));
  await show('state at', t.request('GET', `/v1/doors/${s.door.id}/state?at=garbage`, { token: s.owner }));
  await show('limit', t.request('GET', `/v1/spaces/${s.space.id}/events?limit=0`, { token: s.owner }));
  await show(
    'limit2',
    t.request('GET', `/v1/spaces/${s.space.id}/events?limit=1&limit=2`, { token: s.owner }),
  );
  await show('auth garbage', t.request('GET', `/v1/me`, { headers: { authorization: 'Basic abc' } }));
  await show('phone 12', t.request('POST', `/v1/auth/code`, { body: { phone: '12' } }));
  await show('phone abc', t.request('POST', `/v1/auth/code`, { body: { phone: 'abcdef' } }));
  await show(
    'member nul phone',
    t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: '+34600000055', name: 'a\u0000' },
    }),
  );
  await show(
    'unit nul',
    t.request('POST', `/v1/spaces/${s.space.id}/units`, { token: s.owner, body: { name: '\u0000' } }),
  );
  await show('healthz', t.request('GET', `/healthz`));
  await show(
    'bad ct json big',
    t.request('POST', '/v1/spaces', {
      token: s.owner,
      raw: 'x'.repeat(5000),
      headers: { 'content-type': 'text/plain' },
    }),
  );
  await show(
    'verify nul',
    t.request('POST', `/v1/auth/verify`, {
      body: { phone: '+34600000001', code: '123456', deviceName: 'a\u0000' },
    }),
  );
} finally {
  await t.stop();
}
