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

describe('TLS settings', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  const mqttTls = {
    KEYWAY_MQTT_TLS_CERT: '/etc/keyway/cert.pem',
    KEYWAY_MQTT_TLS_KEY: '/etc/keyway/key.pem',
  };

  it('takes a certificate and its key together, never one alone', () => {
    expect(problemsOf(mqttTls)).toEqual([]);
    expect(problemsOf({ KEYWAY_TLS_CERT: '/etc/keyway/cert.pem' })).toEqual([
      'KEYWAY_TLS_KEY is missing: KEYWAY_TLS_CERT and KEYWAY_TLS_KEY go together',
    ]);
    expect(problemsOf({ KEYWAY_MQTT_TLS_KEY: '/etc/keyway/key.pem' })).toEqual([
      'KEYWAY_MQTT_TLS_CERT is missing: KEYWAY_MQTT_TLS_CERT and KEYWAY_MQTT_TLS_KEY go together',
    ]);
  });

  it('keeps plain mqtt:// only when asked, and never hands units a URL nobody listens on', () => {
    expect(problemsOf({ ...mqttTls, KEYWAY_MQTT_PLAIN_PORT: '1883' })).toEqual(
      [],
    );
    expect(problemsOf({ KEYWAY_MQTT_PLAIN_PORT: '1883' })).toEqual([
      expect.stringMatching(/^KEYWAY_MQTT_PLAIN_PORT keeps plain mqtt:\/\//),
    ]);
    expect(
      problemsOf({
        ...mqttTls,
        KEYWAY_MQTT_PUBLIC_URL: 'mqtt://keyway.example.com:8483',
      }),
    ).toEqual([
      expect.stringMatching(
        /^KEYWAY_MQTT_PUBLIC_URL=mqtt:\/\/keyway.example.com:8483: plain mqtt:\/\/ is off/,
      ),
    ]);
    expect(
      problemsOf({
        ...mqttTls,
        KEYWAY_MQTT_PUBLIC_URL: 'mqtts://keyway.example.com:8483',
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        ...mqttTls,
        KEYWAY_MQTT_PLAIN_PORT: '8483',
        KEYWAY_MQTT_PORT: '8483',
      }),
    ).toEqual(['KEYWAY_MQTT_PLAIN_PORT must differ from KEYWAY_MQTT_PORT']);
  });

  it('is for the embedded broker only', () => {
    expect(
      problemsOf({ ...mqttTls, KEYWAY_MQTT_URL: 'mqtts://broker:8883' }),
    ).toEqual([
      expect.stringMatching(/^KEYWAY_MQTT_TLS_CERT is for the embedded broker/),
    ]);
  });
});
