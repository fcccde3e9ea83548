import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedBroker } from '../../server/src/mqtt/broker';
import { startTestBroker } from '../../server/src/test/embedded-broker';
import { formatResult, runKit } from './run';
import { quick, UNITS } from './test/units';

const unitId = 'unit_kitexternal1';
let broker: EmbeddedBroker;

beforeAll(async () => {
  broker = await startTestBroker({
    serverPassword: 'server-secret',
    units: { [unitId]: 'unit-secret' },
  });
  broker.openToUnits();
});
afterAll(() => broker.stop());

describe('unit-conformance --url (a broker the kit did not start)', () => {
  it('checks the reference unit as the server side; only what needs the broker itself is n/a', async () => {
    const results = await runKit(
      quick({
        url: broker.linkUrl,
        username: unitId,
        password: 'unit-secret',
        serverUsername: 'server',
        serverPassword: 'server-secret',
        unitCmd: UNITS.reference,
      }),
    );
    const lines = results.map(formatResult);
    expect(
      results.filter((r) => r.outcome.status === 'fail').map(formatResult),
      lines.join('\n'),
    ).toEqual([]);
    const na = results.filter((r) => r.outcome.status === 'n/a');
    // What only the disposable broker can do: read CONNECT/SUBSCRIBE, refuse logins, hold the
    // unit off while its door closes (§6).
    expect(na.map((r) => r.check.section)).toEqual([
      '§2',
      '§2',
      '§2',
      '§3',
      '§2',
      '§6',
    ]);
    // The will still shows: the kit kills the unit it started.
    expect(lines.find((l) => l.includes('dropped connection'))).toMatch(
      /^PASS/,
    );
  });
});
