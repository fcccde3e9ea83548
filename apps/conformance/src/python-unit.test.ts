import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatResult, runKit } from './run';
import { quick, UNITS } from './test/units';

describe('examples/python-unit', () => {
  it('runs on Debian python3 with python3-paho-mqtt 1.x (scripts/ensure-services.sh installs it)', () => {
    const probe = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import paho.mqtt; print(paho.mqtt.__version__)'],
      { encoding: 'utf8' },
    );
    expect(
      probe.status,
      `${probe.stderr}: apt-get install -y python3-paho-mqtt`,
    ).toBe(0);
    expect(probe.stdout).toMatch(/^1\./);
  });

  it('passes every rule of the kit', async () => {
    const results = await runKit(quick({ unitCmd: UNITS.python }));
    const lines = results.map(formatResult);
    expect(
      results.filter((r) => r.outcome.status !== 'pass').map(formatResult),
      lines.join('\n'),
    ).toEqual([]);
  });
});
