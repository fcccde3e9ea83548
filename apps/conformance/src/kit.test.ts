import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CHECKS } from './checks/index';
import { formatResult, runKit } from './run';
import { quick, ROOT, UNITS } from './test/units';

describe('unit-conformance', () => {
  it('the reference unit passes every rule', async () => {
    const results = await runKit(quick({ unitCmd: UNITS.reference }));
    const lines = results.map(formatResult);
    expect(results).toHaveLength(CHECKS.length);
    expect(
      results.filter((r) => r.outcome.status !== 'pass').map(formatResult),
      lines.join('\n'),
    ).toEqual([]);
  });

  it('a unit whose clock runs late pulses on an expired command: the CLI prints FAIL §5.1 and exits 1', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/conformance/src/main.ts',
        '--unit-cmd',
        UNITS.lateClock,
        '--connect-timeout-ms',
        '20000',
        '--timeout-ms',
        '2000',
        '--quiet-ms',
        '400',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 85_000 },
    );
    const lines = run.stdout.split('\n');
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(lines.find((l) => l.includes('§5.1'))).toMatch(
      /^FAIL .*the door opened/,
    );
    // The rest of the agent is the reference one: a valid open still passes.
    expect(lines.find((l) => l.includes('opened:'))).toMatch(/^PASS/);
    expect(lines.at(-2)).toMatch(/passed, [1-9]\d* failed/);
  });

  it('a unit that announces online before subscribing fails §3 and the §7 probe (--only §3,§7)', async () => {
    const results = await runKit(
      quick({ unitCmd: UNITS.eager, only: '§3,§7' }),
    );
    const line = (rule: string) =>
      results.map(formatResult).find((l) => l.includes(rule));
    expect(line('before announcing online')).toMatch(
      /^FAIL .*subscribed to .*commands after its status/,
    );
    expect(line('the instant online is heard')).toMatch(
      /^FAIL .*no ack for the probe/,
    );
    expect(results.every((r) => ['§3', '§7'].includes(r.check.section))).toBe(
      true,
    );
  });
});
