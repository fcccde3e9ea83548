import { describe, expect, it } from 'vitest';
import { parseArgs } from './options';

describe('unit-conformance flags', () => {
  it('reads flags with their defaults and normalises --only and --sensors', () => {
    const p = parseArgs([
      '--only',
      '4.3,§5.1',
      '--sensors',
      '1,3',
      '--verbose',
    ]);
    expect(p).toMatchObject({
      kind: 'options',
      options: {
        only: ['§4.3', '§5.1'],
        sensors: [1, 3],
        verbose: true,
        timeoutMs: 3000,
        host: '127.0.0.1',
        port: 0,
      },
    });
  });

  it('reports every problem at once', () => {
    const p = parseArgs([
      '--bogus',
      'x',
      '--timeout-ms',
      '5',
      '--url',
      'http://b',
    ]);
    expect(p).toEqual({
      kind: 'error',
      problems: [
        'unknown flag --bogus',
        '--url: expected an mqtt:// or mqtts:// URL',
        '--timeout-ms: Too small: expected number to be >=10',
      ],
    });
  });

  it('--url needs the unit and the server-side credentials', () => {
    const p = parseArgs(['--url', 'mqtt://b:1883', '--username', 'unit_a1']);
    expect(p.kind === 'error' && p.problems).toEqual([
      '--url needs --password',
      '--url needs --server-username',
      '--url needs --server-password',
    ]);
  });
});
