import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_TABLE,
  ConfigError,
  configHelp,
  loadConfig,
  printConfig,
  unknownVariables,
} from './config';

describe('config table', () => {
  it('has defaults that validate, and --help lists every variable', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8480);
    expect(c.mqttPort).toBe(8483);
    for (const e of Object.values(CONFIG_TABLE))
      expect(configHelp()).toContain(e.env);
  });

  it('names every bad value at once', () => {
    let err: unknown;
    try {
      loadConfig({
        KEYWAY_PORT: 'abc',
        KEYWAY_LOG_LEVEL: 'loud',
        KEYWAY_DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/KEYWAY_PORT/);
    expect(problems).toMatch(/KEYWAY_LOG_LEVEL/);
    expect(problems).toMatch(/KEYWAY_DATABASE_URL/);
  });

  it('is the table the README documents', () => {
    const readme = readFileSync(
      new URL('../../../README.md', import.meta.url),
      'utf8',
    );
    for (const e of Object.values(CONFIG_TABLE))
      expect(readme, e.env).toMatch(new RegExp(`\\|\\s*\`${e.env}\`\\s*\\|`));
  });
});

describe('printing and checking the environment', () => {
  it('--print-config masks secrets and URL passwords', () => {
    const c = loadConfig({
      KEYWAY_SMS_PROVIDER: 'http',
      KEYWAY_SMS_HTTP_URL: 'https://gw.example/send',
      KEYWAY_SMS_HTTP_SECRET: 'super-secret-signing-key',
      KEYWAY_DATABASE_URL: 'postgres://keyway:pg-password@db:5432/keyway',
      KEYWAY_SMS_COUNTRIES: 'ES, PT',
    });
    const text = printConfig(c);
    expect(text).toContain('KEYWAY_SMS_HTTP_SECRET=********\n');
    expect(text).toContain(
      'KEYWAY_DATABASE_URL=postgres://keyway:********@db:5432/keyway\n',
    );
    expect(text).toContain('KEYWAY_SMS_COUNTRIES=ES,PT\n');
    expect(text).toContain('KEYWAY_PORT=8480\n');
    expect(text).not.toContain('super-secret-signing-key');
    expect(text).not.toContain('pg-password');
  });

  it('names KEYWAY_ variables that are no setting', () => {
    expect(
      unknownVariables({
        KEYWAY_PORT: '1',
        KEYWAY_SMS_PROVIDR: 'twilio',
        KEYWAY_UNIT_ID: 'u',
        KEYWAY_TEST_DB: 'sqlite',
        HOME: '/root',
      }),
    ).toEqual(['KEYWAY_SMS_PROVIDR']);
  });
});
