import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envOf, flagOf, helpText, parseConfig, SETTINGS } from './config';

const required = [
  '--url',
  'mqtt://broker.example:1883',
  '--username',
  'u-42',
  '--password',
  's3cret',
];

const problemsOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const result = parseConfig(argv, env);
  if (result.kind !== 'error')
    throw new Error(`expected problems, got ${result.kind}`);
  return result.problems;
};

describe('config', () => {
  it('applies defaults', () => {
    expect(parseConfig(required, {})).toEqual({
      kind: 'config',
      config: {
        url: 'mqtt://broker.example:1883',
        username: 'u-42',
        password: 's3cret',
        driver: 'sim',
        relays: 4,
        logLevel: 'info',
        logPretty: 'auto',
        simCloseMs: 3000,
        reconnectMinMs: 500,
        reconnectMaxMs: 30_000,
        keepaliveSec: 15,
        stateFile: './keyway-unit-u-42.json',
      },
    });
  });

  it('takes the state file from --state-file or KEYWAY_UNIT_STATE_FILE', () => {
    const env = { KEYWAY_UNIT_STATE_FILE: '/var/lib/keyway/env.json' };
    expect(parseConfig(required, env)).toMatchObject({
      config: { stateFile: '/var/lib/keyway/env.json' },
    });
    expect(
      parseConfig([...required, '--state-file', '/data/unit.json'], env),
    ).toMatchObject({
      config: { stateFile: '/data/unit.json' },
    });
    expect(problemsOf([...required, '--state-file', ' '])).toEqual([
      expect.stringContaining('--state-file'),
    ]);
  });

  it('reads environment variables, and flags win over them', () => {
    const env = {
      KEYWAY_UNIT_RELAYS: '2',
      KEYWAY_UNIT_SIM_CLOSE_MS: '80',
      KEYWAY_UNIT_PASSWORD: 'from-env',
    };
    const result = parseConfig(
      [
        ...required.slice(0, 4),
        '--relays=3',
        '--lat',
        '-33.45',
        '--lon',
        '-70.66',
      ],
      env,
    );
    expect(result).toMatchObject({
      kind: 'config',
      config: {
        relays: 3,
        simCloseMs: 80,
        password: 'from-env',
        location: { lat: -33.45, lon: -70.66 },
      },
    });
  });

  it.each([
    [['--relays', '5'], '--relays "5"'],
    [['--relays', 'two'], 'expected an integer'],
    [['--driver', 'gpio'], '--driver "gpio"'],
    [['--log-level', 'loud'], '--log-level "loud"'],
    [['--url', 'http://x'], 'mqtt:// or mqtts://'],
    [['--username', 'a/b'], '--username "a/b"'],
    [['--lat', '91', '--lon', '0'], '--lat "91"'],
    [['--lat', '10'], '--lat and --lon must be given together'],
    [
      ['--reconnect-min-ms', '5000', '--reconnect-max-ms', '1000'],
      '--reconnect-min-ms must not exceed',
    ],
    [['--bogus'], 'unknown flag --bogus'],
    [['stray'], 'unexpected argument "stray"'],
  ])('rejects %j naming it', (extra, expected) => {
    const problems = problemsOf([...required, ...extra]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('names the environment variable when the bad value came from there', () => {
    expect(problemsOf(required, { KEYWAY_UNIT_RELAYS: '0' })).toEqual([
      expect.stringContaining('KEYWAY_UNIT_RELAYS "0"'),
    ]);
  });

  it('lists every problem at once and never echoes the password', () => {
    const problems = problemsOf([
      '--password',
      '',
      '--relays',
      '9',
      '--driver',
    ]);
    expect(problems).toEqual([
      '--driver needs a value',
      '--url is required (or set KEYWAY_UNIT_URL)',
      '--username is required (or set KEYWAY_UNIT_USERNAME)',
      expect.stringMatching(/^invalid --password: /),
      expect.stringContaining('invalid --relays "9"'),
    ]);
  });

  it('answers --help with every flag, its variable and its default', () => {
    expect(parseConfig([...required, '--help'], {})).toEqual({
      kind: 'help',
      text: helpText(),
    });
    for (const name of Object.keys(SETTINGS)) {
      expect(helpText()).toMatch(
        new RegExp(`${flagOf(name)} <\\w+>\\s+${envOf(name)}\\s`),
      );
    }
    expect(helpText()).toContain('(default 3000)');
  });

  describe('--ca', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyway-unit-ca-'));
    const ca = join(dir, 'ca.crt');
    // A CA made at run time by Debian's openssl, as docs/deploy.md does.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'ca.key'),
        '-out',
        ca,
        '-days',
        '30',
        '-subj',
        '/CN=Unit test CA',
      ],
      { stdio: 'ignore' },
    );
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const tlsArgs = [
      '--url',
      'mqtts://keyway.example:8483',
      ...required.slice(2),
    ];

    it('takes a CA file from --ca or KEYWAY_UNIT_CA, for an mqtts:// URL', () => {
      expect(parseConfig([...tlsArgs, '--ca', ca], {})).toMatchObject({
        kind: 'config',
        config: { url: 'mqtts://keyway.example:8483', ca },
      });
      expect(parseConfig(tlsArgs, { KEYWAY_UNIT_CA: ca })).toMatchObject({
        config: { ca },
      });
    });

    it('refuses one with a plain mqtt:// URL, and a file that is not a PEM certificate, naming where it came from', () => {
      expect(problemsOf([...required, '--ca', ca])).toEqual([
        '--ca needs an mqtts:// --url: plain mqtt:// has no certificate to verify',
      ]);
      expect(problemsOf(tlsArgs, { KEYWAY_UNIT_CA: notPem })).toEqual([
        `invalid KEYWAY_UNIT_CA "${notPem}": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`,
      ]);
      expect(problemsOf([...tlsArgs, '--ca', join(dir, 'missing')])).toEqual([
        `invalid --ca "${join(dir, 'missing')}": cannot read the file (ENOENT)`,
      ]);
    });
  });
});
