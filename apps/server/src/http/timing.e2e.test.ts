import { describe, expect, it } from 'vitest';
import { expectStatus } from '../test/harness';
import { suiteSpace } from '../test/suite-space';

/** `name;dur=ms` pairs of a Server-Timing header, in order. */
function metrics(header: string | null): [string, number][] {
  return (header ?? '').split(',').map((m) => {
    const [name, dur] = m.trim().split(';dur=');
    return [name!, Number(dur)];
  });
}

describe('Server-Timing', () => {
  const suite = suiteSpace();

  it('a write says how long it took before its transaction, in it, and to push it', async () => {
    const { t, s } = suite;
    const res = await t.request('PATCH', `/v1/doors/${s.door.id}`, {
      token: s.owner,
      body: { name: 'Front gate (new)' },
    });
    expectStatus(res, 200);
    const m = metrics(res.headers.get('server-timing'));
    expect(m.map(([name]) => name)).toEqual([
      'pre',
      'write',
      'wait',
      'commit',
      'push',
      'total',
    ]);
    for (const [, dur] of m) expect(dur).toBeGreaterThanOrEqual(0);
    const [pre, write, wait, commit, push, total] = m.map(
      ([, dur]) => dur,
    ) as number[];
    expect(pre! + write! + push!).toBeLessThanOrEqual(total! + 0.003);
    expect(write).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(write!);
    expect(commit).toBeGreaterThan(0);
    expect(wait! + commit!).toBeLessThanOrEqual(write! + 0.002);
  });

  it('a read has only its total; a refused write has none', async () => {
    const { t, s } = suite;
    const read = await t.request('GET', `/v1/spaces/${s.space.id}`, {
      token: s.owner,
    });
    expectStatus(read, 200);
    expect(metrics(read.headers.get('server-timing')).map(([n]) => n)).toEqual([
      'total',
    ]);
    const other = await t.login('+34600000077');
    const refused = await t.request('PATCH', `/v1/doors/${s.door.id}`, {
      token: other,
      body: { name: 'Mine now' },
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('server-timing')).toBeNull();
  });
});
